/**
 * The in-memory twins of the store and the broker, for a single node without Redis (development and the
 * contract suites). Same rules as Redis, seq order included. {@code MemoryStore} keeps the papers,
 * {@code MemoryPresence} who is present on them, {@code MemoryBroker} hands the typed channel messages over.
 * Runs on the node's event loop; no locks, because one event loop owns the maps.
 */
package io.rollingpaper.node.backend.memory;
