package io.rollingpaper.node.config;

import java.time.Duration;

/**
 * The warm-up a node runs before it reports ready.
 *
 * @param duration the longest the warm-up's work may take; zero turns it off (the node is ready as soon as
 *                 its store and subscriptions are)
 */
public record WarmupSettings(Duration duration) {
  /**
   * Measured on 2 cores, 3 nodes started together on one Redis, the hot load 3 s after ready: p99 160 ms with
   * it against 1.7-2.0 s without (docs/PROFILE.md, "Warm-up and JVM at start"); 5 s gave 72 ms.
   */
  static final Duration DEFAULT_DURATION = Duration.ofSeconds(3);

  static WarmupSettings read(EnvReader r) {
    return new WarmupSettings(r.duration("WARMUP_DURATION", DEFAULT_DURATION));
  }

  public boolean enabled() {
    return !duration.isZero();
  }
}
