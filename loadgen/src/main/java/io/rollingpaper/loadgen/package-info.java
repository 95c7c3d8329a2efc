/**
 * The load generator: picocli commands (fanout, ramp, join-storm, idle, chart) that drive real
 * WebSocket clients against our nodes or the Socket.IO peer (one {@code WireDialect} each), measure
 * latency with HdrHistogram and server CPU from /proc, and write JSON reports and charts. Clients run on
 * Vert.x event loops; the CLI waits for results on its main thread, never on an event loop (which also reads
 * {@code INFO commandstats} and the latency monitor of a Redis through a blocking socket, {@code Resp}). During a
 * window a thread of its own, {@code StallProbe}, measures how still the machine itself was. The load commands share their connection
 * options through one picocli mixin, {@code ConnectionOptions}; fanout and ramp add {@code FanoutOptions}.
 * The idle command keeps its sessions ({@code IdleSessions}), its checks before the run ({@code IdlePreflight})
 * and its figures ({@code IdleFigures}) apart; the charts read summaries through {@code ChartRuns} and draw with
 * {@code ChartStyle}.
 */
package io.rollingpaper.loadgen;
