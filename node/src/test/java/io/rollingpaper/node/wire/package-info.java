/**
 * The WebSocket layer against a real node: compression bombs, handshake deadlines, heartbeats and flush batching, with raw sockets where a Vert.x client would hide the bytes. Clients run on the test's Vert.x event loop.
 */
package io.rollingpaper.node.wire;
