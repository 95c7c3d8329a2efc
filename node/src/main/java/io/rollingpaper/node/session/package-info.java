/**
 * One WebSocket connection: decoding and limiting what a client sends (frame assembly, token buckets per
 * connection and per user, the bad-frame count), its send queue and slow-client handling, heartbeats,
 * in-band refusals and the close codes. {@code FlushBatching} and {@code ProtocolViolation} are the only
 * classes here that touch Netty.
 *
 * <p>Thread: the event loop of the connection (the node's). May call: its host through
 * {@code SessionHost} (which paper implements; never paper's classes), backend's result types, config, the
 * protocol (common). Called by: http (which opens sessions), paper (which fans frames out to them), auth
 * ({@code Identity}), the node.
 */
package io.rollingpaper.node.session;
