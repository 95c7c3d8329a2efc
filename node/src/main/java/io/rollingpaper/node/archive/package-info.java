/**
 * The durable archive of finished and idle papers (PostgreSQL through the reactive Vert.x client):
 * the paper table, the schema migrations every node runs at start, and the archive's latency meter.
 * Everything here returns futures completed on the calling context's event loop; nothing blocks.
 */
package io.rollingpaper.node.archive;
