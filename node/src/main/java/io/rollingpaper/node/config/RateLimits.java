package io.rollingpaper.node.config;

/**
 * Per-connection and per-node bounds against abuse. Rates are token buckets: a sustained rate
 * and a burst.
 *
 * @param refusalsBeforeClose rate-limited refusals within a minute after which the socket is closed with 1008
 * @param trustForwardedFor   take the client's address from the last X-Forwarded-For entry (behind HAProxy)
 */
public record RateLimits(int opsPerSecond, int opsBurst, int signalsPerSecond, int signalsBurst,
                         int refusalsBeforeClose, int connectionsPerPaper, int connectionsPerAddress,
                         boolean trustForwardedFor) {
}
