package io.rollingpaper.node.config;

import java.time.Duration;

/**
 * How a node leaves on SIGTERM: not ready first, then its sessions closed with 1012 spread out, then a
 * bounded wait for ops already sent.
 *
 * @param readyDelay  readiness fails this long before sessions are closed
 * @param closeWindow sessions are closed spread over this window
 * @param timeout     the longest wait for ops already sent to Redis before exiting
 */
public record Drain(Duration readyDelay, Duration closeWindow, Duration timeout) {

  /** The three phases end to end: the longest a drain is expected to take. */
  public Duration total() {
    return readyDelay.plus(closeWindow).plus(timeout);
  }

  static Drain read(EnvReader r) {
    return new Drain(
        r.duration("DRAIN_READY_DELAY", Duration.ofSeconds(5)),
        r.duration("DRAIN_CLOSE_WINDOW", Duration.ofSeconds(3)),
        r.duration("DRAIN_TIMEOUT", Duration.ofSeconds(10)));
  }
}
