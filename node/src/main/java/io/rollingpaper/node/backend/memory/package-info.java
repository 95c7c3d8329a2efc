/**
 * The in-memory twins of the store and the broker, for a single node without Redis (development and the
 * contract suites). Same rules as Redis, seq order included. Runs on the node's event loop; no locks,
 * because one event loop owns the maps.
 */
package io.rollingpaper.node.backend.memory;
