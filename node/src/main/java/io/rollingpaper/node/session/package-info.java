/**
 * One WebSocket connection: decoding and limiting what a client sends (frame assembly, token buckets per
 * connection and per user, the bad-frame count), its send queue and slow-client handling, heartbeats,
 * in-band refusals and the close codes. {@code FlushBatching} and {@code ProtocolViolation} are the only
 * classes here that touch Netty. Runs on the event loop of the connection. May call: paper (through
 * {@code SessionHost}), config.
 */
package io.rollingpaper.node.session;
