/**
 * Who may do what: the JWT verifier (keys checked at start so an unusable key stops the node, every
 * token's {@code alg} checked against the configured keys, claims judged without exceptions, 30 s of
 * clock skew) and the HTTP API key guard. Verification runs on the event loop; key loading happens once
 * at start. May call: config. Called by: http (the WebSocket endpoint and the API guard).
 */
package io.rollingpaper.node.auth;
