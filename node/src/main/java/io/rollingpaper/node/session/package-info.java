/**
 * One WebSocket connection: what a client sends once assembled into messages (token buckets per connection
 * and per user, the bad-frame count), its send queue and slow-client handling, heartbeats, in-band refusals
 * and the close codes. Touches no Netty or Vert.x internal type: frame assembly, flush batching, the shared
 * outbound frame and the decoder's violations are the transport's. Runs on the event loop of the connection.
 * May call: transport, paper (through {@code SessionHost}), backend (its exceptions), config.
 */
package io.rollingpaper.node.session;
