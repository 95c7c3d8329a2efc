/**
 * The load generator: picocli commands (fanout, ramp, join-storm, idle, chart) that drive real
 * WebSocket clients against our nodes or the Socket.IO peer (one {@code WireDialect} each), measure
 * latency with HdrHistogram and server CPU from /proc, and write JSON reports and charts. Clients run on
 * Vert.x event loops; the CLI waits for results on its main thread, never on an event loop.
 */
package io.rollingpaper.loadgen;
