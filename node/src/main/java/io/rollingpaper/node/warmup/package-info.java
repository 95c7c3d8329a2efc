/**
 * The start-up warm-up: before a node reports ready, {@code Warmup} runs its hot paths (frame decode and
 * encode, sessions, the hub's fan-out, the store's scripts and the broker's subscription) with a few
 * {@code WarmupClient}s on a private paper, through {@code LoopbackSocket}s, then removes every trace of it
 * from the store. Bounded by {@code WARMUP_DURATION}; a failure or an overrun leaves the node ready, cold.
 * The broker delivers to one listener for life: {@code Warmup.routing} is that listener, and sends the
 * warm-up paper's messages to the warm-up's hub while it runs. Runs on the node's event loop (its metrics
 * registry is built on a worker thread). May call: backend (store and broker), paper (its own
 * {@code PaperHub}), session, transport ({@code FlushBatching.NONE} only), metrics (a registry of its own).
 */
package io.rollingpaper.node.warmup;
