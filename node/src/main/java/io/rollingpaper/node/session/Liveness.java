package io.rollingpaper.node.session;

/**
 * The heartbeat's view of one connection: when the peer was last heard from (any frame or pong),
 * when it was last written a protocol frame, and when it was last pinged. Times are
 * {@link System#nanoTime()}. Updated by its session and read by {@link Heartbeat}, both on the
 * node's event loop.
 */
final class Liveness {
  private long heardAt;
  private long sentAt;
  private long pingedAt;

  Liveness(long now) {
    heardAt = now;
    sentAt = now;
    pingedAt = now;
  }

  void heard(long now) {
    heardAt = now;
  }

  void sent(long now) {
    sentAt = now;
  }

  void pinged(long now) {
    pingedAt = now;
  }

  /** The last ping has had no answer yet: nothing at all arrived since it went out. */
  boolean awaitingAnswer() {
    return heardAt < pingedAt;
  }

  long sincePinged(long now) {
    return now - pingedAt;
  }

  long sinceSent(long now) {
    return now - sentAt;
  }
}
