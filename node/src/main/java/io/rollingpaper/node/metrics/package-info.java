/**
 * The node's meters for Prometheus: its own series ({@code rpl_*}, documented in the README's metrics
 * table), the JVM's and the process's, and build info, all in the registry Vert.x's metrics also write to.
 *
 * <p>Thread: counted on the node's event loop (counters are thread-safe); bound once on a worker at start;
 * read by the {@code /metrics} scrape on the event loop. May call: the protocol's error codes (common) and
 * nothing else of the node. Called by: paper, http, the node.
 */
package io.rollingpaper.node.metrics;
