/**
 * One WebSocket connection: what a client sends once assembled into messages (token buckets per connection
 * and per user, the bad-frame count), its send queue and slow-client handling, heartbeats, in-band refusals
 * and the close codes. Touches no Netty or Vert.x internal type: frame assembly, flush batching, the shared
 * outbound frame and the decoder's violations are the transport's.
 *
 * <p>Thread: the event loop of the connection (the node's). May call: transport, its host through
 * {@code SessionHost} (which paper implements; never paper's classes), backend's result types, config, the
 * protocol (common). Called by: http (which opens sessions), paper (which fans frames out to them), auth
 * ({@code Identity}), the node.
 */
package io.rollingpaper.node.session;
