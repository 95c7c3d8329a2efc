/**
 * The completion webhook: events, the durable outbox they wait in (PostgreSQL, or memory for a
 * single dev node), and the per-node deliverer that claims due rows under a lease, POSTs them signed
 * with HMAC-SHA256 and retries with exponential back-off and jitter. The deliverer runs on the
 * node's event loop (periodic timer, non-blocking HTTP client and SQL client); nothing blocks.
 */
package io.rollingpaper.node.webhook;
