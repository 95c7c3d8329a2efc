/**
 * Who may do what: the JWT verifier (keys checked at start so an unusable key stops the node, every
 * token's {@code alg} checked against the configured keys, claims judged without exceptions, 30 s of
 * clock skew), the {@code Grant} a token gives, and the HTTP API key guard.
 *
 * <p>Thread: verification runs on the node's event loop and never blocks; key files are read once at start
 * (by config on the main thread, then when the verticle builds its verifier). May call: config, session's
 * {@code Identity} (what a verified token names). Called by: config, http (the WebSocket endpoint and the
 * API guard), the node at start.
 */
package io.rollingpaper.node.auth;
