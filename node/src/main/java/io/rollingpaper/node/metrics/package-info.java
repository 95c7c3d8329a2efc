/**
 * The node's meters for Prometheus: its own series ({@code rpl_*}), the JVM's and the process's, and
 * build info, all in the registry Vert.x's metrics also write to. Counted on the node's event loop
 * (counters are thread-safe); read by the {@code /metrics} scrape on the same loop.
 */
package io.rollingpaper.node.metrics;
