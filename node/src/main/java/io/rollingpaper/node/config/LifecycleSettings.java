package io.rollingpaper.node.config;

import java.time.Duration;

/**
 * How long the traces of a paper's life last in the live store.
 *
 * @param tombstoneTtl how long a deletion is remembered: joins get 4404 and ops {@code not_found} meanwhile
 * @param paperIdleTtl with an archive, an open paper with no op for this long is moved out of the live store
 * @param idleSweepInterval how often a node looks for idle papers to move
 */
public record LifecycleSettings(Duration tombstoneTtl, Duration paperIdleTtl, Duration idleSweepInterval) {

  static LifecycleSettings read(EnvReader r) {
    return new LifecycleSettings(
        r.duration("TOMBSTONE_TTL", Duration.ofDays(30)),
        r.duration("PAPER_IDLE_TTL", Duration.ofHours(24)),
        r.duration("PAPER_IDLE_SWEEP_INTERVAL", Duration.ofMinutes(1)));
  }

  /** The defaults, for code that builds a store without reading the environment. */
  public static LifecycleSettings defaults() {
    return new LifecycleSettings(Duration.ofDays(30), Duration.ofHours(24), Duration.ofMinutes(1));
  }
}
