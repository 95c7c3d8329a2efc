/**
 * A paper's whole life across the live store and the archive: deletion that stays deleted, deliberate
 * creation, completion committed in the archive (with its webhook event), papers served from the archive
 * once their live copy expired, and idle papers moved out of the live store by {@code IdleSweeper} and
 * brought back. {@code LifecycleStore} is a {@code PaperStore} in front of the live one.
 *
 * <p>Thread: the node's event loop; it only composes futures. May call: backend, archive, webhook, the
 * protocol (common). Called by: the node, which hands its store to everything else.
 */
package io.rollingpaper.node.lifecycle;
