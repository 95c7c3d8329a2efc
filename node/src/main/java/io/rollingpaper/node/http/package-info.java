/**
 * The node's HTTP surface: the WebSocket endpoint's checks before the upgrade ({@code WebSocketEndpoint})
 * and the session start after it ({@code WebSocketJoin}, the upgrade itself being the transport's), the main
 * backend's API ({@code /api/papers}), health, the JSON answers for unknown API routes, and the static demo
 * pages. Handlers run on the node's event loop and never block: every store call is a composed future.
 * May call: transport, session, paper, backend, auth, metrics, config.
 */
package io.rollingpaper.node.http;
