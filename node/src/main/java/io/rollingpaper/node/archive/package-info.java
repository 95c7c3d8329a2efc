/**
 * The durable archive of finished and idle papers (PostgreSQL through the reactive Vert.x client): the
 * paper table, the schema migrations every node runs at start, the archive's latency meter, and
 * {@code ArchiveServices}, which starts the archive and the webhook's outbox and deliverer together (or
 * neither, or the in-memory outbox of a single dev node).
 *
 * <p>Thread: the node's event loop; everything returns futures completed on the calling context, nothing
 * blocks. May call: config, webhook (its outbox shares the archive's transactions). Called by: lifecycle,
 * the node at start.
 */
package io.rollingpaper.node.archive;
