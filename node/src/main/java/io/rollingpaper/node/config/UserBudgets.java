package io.rollingpaper.node.config;

/**
 * What one user may do on one node across all of their sockets: ops and signals share a token bucket
 * per user (a sustained rate and a burst), and at most {@code connections} sockets are open at once.
 */
public record UserBudgets(int opsPerSecond, int opsBurst, int signalsPerSecond, int signalsBurst, int connections) {
}
