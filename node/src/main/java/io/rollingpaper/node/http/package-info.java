/**
 * The node's HTTP surface: the WebSocket endpoint's checks before the upgrade, the main backend's API
 * ({@code /api/papers}), health, the JSON answers for unknown API routes, and the static demo pages.
 * Handlers run on the node's event loop and never block: every store call is a composed future.
 */
package io.rollingpaper.node.http;
