package io.rollingpaper.node.config;

/**
 * Per-connection and per-node bounds against abuse. Rates are token buckets: a sustained rate
 * and a burst.
 *
 * @param refusalsBeforeClose rate-limited refusals within a minute after which the socket is closed with 1008
 * @param badFrameLimit       refused frames ({@code bad_frame}, {@code bad_op}, {@code too_large}) within a
 *                            minute after which the socket is closed with 1008
 * @param trustForwardedFor   take the client's address from the last X-Forwarded-For entry (behind HAProxy)
 */
public record RateLimits(int opsPerSecond, int opsBurst, int signalsPerSecond, int signalsBurst,
                         int refusalsBeforeClose, int badFrameLimit, int connectionsPerPaper,
                         int connectionsPerAddress, boolean trustForwardedFor) {

  static RateLimits read(EnvReader r) {
    return new RateLimits(
        r.integer("RATE_OPS_PER_SECOND", 50, 1, 1_000_000), r.integer("RATE_OPS_BURST", 100, 1, 1_000_000),
        r.integer("RATE_SIGNALS_PER_SECOND", 30, 1, 1_000_000), r.integer("RATE_SIGNALS_BURST", 60, 1, 1_000_000),
        r.integer("RATE_LIMIT_CLOSE_AFTER", 100, 1, 1_000_000),
        r.integer("BAD_FRAME_LIMIT", 10, 1, 1_000_000),
        r.integer("MAX_CONNECTIONS_PER_PAPER", 500, 1, 10_000_000),
        r.integer("MAX_CONNECTIONS_PER_ADDRESS", 200, 1, 10_000_000),
        r.flag("TRUST_FORWARDED_FOR"));
  }
}
