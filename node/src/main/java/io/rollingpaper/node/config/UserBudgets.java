package io.rollingpaper.node.config;

/**
 * What one user may do on one node across all of their sockets: ops and signals share a token bucket
 * per user (a sustained rate and a burst), and at most {@code connections} sockets are open at once.
 */
public record UserBudgets(int opsPerSecond, int opsBurst, int signalsPerSecond, int signalsBurst, int connections) {

  /** The defaults are twice the per-connection rates, so two tabs work at full speed. */
  static UserBudgets read(EnvReader r, RateLimits perConnection) {
    return new UserBudgets(
        r.integer("RATE_USER_OPS_PER_SECOND", twice(perConnection.opsPerSecond()), 1, 2_000_000),
        r.integer("RATE_USER_OPS_BURST", twice(perConnection.opsBurst()), 1, 2_000_000),
        r.integer("RATE_USER_SIGNALS_PER_SECOND", twice(perConnection.signalsPerSecond()), 1, 2_000_000),
        r.integer("RATE_USER_SIGNALS_BURST", twice(perConnection.signalsBurst()), 1, 2_000_000),
        r.integer("MAX_CONNECTIONS_PER_USER", 50, 1, 10_000_000));
  }

  private static int twice(int perConnection) {
    return Math.min(2 * perConnection, 2_000_000);
  }
}
