/**
 * The node's HTTP surface: the WebSocket endpoint's checks before the upgrade ({@code WebSocketEndpoint}:
 * origin, token, per-paper, per-address and per-user connection caps) and the session start after it
 * ({@code WebSocketJoin}; the upgrade itself and the handshake deadline are the transport's), the main
 * backend's API ({@code /api/papers}) behind its key, health and readiness (with the drain), the JSON
 * answers for unknown API routes, and the static demo pages.
 *
 * <p>Thread: handlers run on the node's event loop and never block: every store call is a composed future.
 * May call: transport, auth, backend, config, metrics, paper, session, the protocol (common). Called by: the
 * node, which mounts its handlers on the router.
 */
package io.rollingpaper.node.http;
