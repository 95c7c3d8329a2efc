/**
 * The Rolling Paper Live wire protocol (docs/PROTOCOL.md): frames, ops, error codes, limits and the JSON
 * codec, shared by the node, the load generator and the tests.
 *
 * <p>Thread: any; plain values and a stateless codec, safe to share. May call: Jackson only. Called by: the
 * node, loadgen and the tests.
 */
package io.rollingpaper.protocol;
