package io.rollingpaper.node.session;

import io.rollingpaper.node.config.RateLimits;
import io.rollingpaper.protocol.Limits;

/**
 * The per-connection bounds of a session: sizes, send queue, bad input and rates; and {@code users},
 * the node's per-user budgets every session of a user draws from as well.
 */
public record SessionLimits(Limits protocol, int sendQueueSoftBytes, int sendQueueMaxBytes, int badFrameLimit,
                            RateLimits rates, UserAllowances users) {
}
