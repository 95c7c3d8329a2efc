/**
 * The node: {@code Main} reads the configuration (failing fast on every bad value) and deploys one
 * {@code Node} verticle, which composes the backend, the paper hub, the archive services, the HTTP
 * server and the periodic timers, and drains them on SIGTERM. Everything here runs on the node's
 * event loop except {@code Main}'s start-up on the main thread.
 */
package io.rollingpaper.node;
