package io.rollingpaper.node.session;

import io.rollingpaper.protocol.Limits;

/** The per-connection bounds of a session. */
public record SessionLimits(Limits protocol, int sendQueueSoftBytes, int sendQueueMaxBytes, int badFrameLimit) {
}
