package io.rollingpaper.node.session;

import io.rollingpaper.node.config.RateLimits;
import io.rollingpaper.protocol.Limits;

/** The per-connection bounds of a session: sizes, send queue, bad input and rates. */
public record SessionLimits(Limits protocol, int sendQueueSoftBytes, int sendQueueMaxBytes, int badFrameLimit,
                            RateLimits rates) {
}
