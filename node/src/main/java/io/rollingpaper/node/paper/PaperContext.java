package io.rollingpaper.node.paper;

import io.rollingpaper.node.backend.Broker;
import io.rollingpaper.node.metrics.NodeMetrics;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * What a {@link LocalPaper} and its parts need from the node, and nothing else.
 *
 * @param gone told when a paper has no sessions left (after the linger) or was deleted, to forget it
 */
record PaperContext(Vertx vertx, String nodeId, StoreCalls store, Broker broker, NodeMetrics metrics,
                    Duration unsubscribeLinger, Consumer<LocalPaper> gone) {
}
