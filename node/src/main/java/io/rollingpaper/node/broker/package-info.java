/**
 * The broker seam: how a paper's accepted deltas, presence changes and signals reach every node that
 * has sessions on it ({@code Broker}, {@code BrokerListener}, the wire form {@code ChannelMessage}). Two
 * twins implement it: {@code store.memory.MemoryBroker} and {@code store.redis.RedisBroker}. Listener
 * callbacks run on the node's event loop.
 */
package io.rollingpaper.node.broker;
