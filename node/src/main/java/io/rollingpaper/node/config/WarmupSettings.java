package io.rollingpaper.node.config;

import java.time.Duration;

/**
 * The warm-up a node runs before it reports ready.
 *
 * @param duration the longest the warm-up's work may take; zero turns it off (the node is ready as soon as
 *                 its store and subscriptions are)
 */
public record WarmupSettings(Duration duration) {

  static WarmupSettings read(EnvReader r) {
    return new WarmupSettings(r.duration("WARMUP_DURATION", Duration.ZERO));
  }

  public boolean enabled() {
    return !duration.isZero();
  }
}
