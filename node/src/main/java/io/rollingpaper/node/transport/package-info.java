/**
 * The WebSocket transport: the only package that touches Netty or Vert.x {@code impl}/{@code internal} types,
 * and the integrator tier where Vert.x offers one. It upgrades HTTP requests to sockets
 * ({@code WebSocketUpgrade}) and batches their flushes ({@code FlushBatching}), times request heads
 * ({@code HandshakeDeadline}), assembles incoming messages under the frame limits ({@code MessageAssembler}),
 * turns the decoder's refusals into close codes ({@code ProtocolViolation}) and shares one serialized frame
 * between sockets ({@code OutboundFrame}). What crosses out of it is Vert.x public API or small types of
 * ours; no Netty type does. Runs on the node's event loop. May call: nothing of ours above it (Vert.x,
 * Netty, Micrometer, SLF4J only).
 */
package io.rollingpaper.node.transport;
