/**
 * The live store seam: {@code PaperStore} (apply an op atomically with the next seq, read a paper or its
 * history, presence, complete, delete, create, idle moves) and {@code Backend}, which builds the store
 * and broker twins from the configuration. Its contract is written on the interface and checked by one
 * suite against memory, Redis, a replicated Redis and a Redis Cluster. Futures complete on the caller's
 * event loop.
 */
package io.rollingpaper.node.store;
