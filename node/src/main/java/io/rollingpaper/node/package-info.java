/**
 * The node itself: {@code Main} reads the configuration (failing fast with every bad value) and deploys
 * one {@code Node} verticle, which composes the backend, the paper hub, the archive services, the HTTP
 * server and the periodic timers, and drains them on SIGTERM.
 *
 * <p>Thread: {@code Node} runs on its event loop (its meters are bound once on a worker, since that loads
 * management classes for seconds); {@code Main} runs on the main thread at start and on the shutdown-hook
 * thread, where it waits (bounded) for the drain. May call: every package of the node, to wire it; nothing
 * calls it.
 */
package io.rollingpaper.node;
