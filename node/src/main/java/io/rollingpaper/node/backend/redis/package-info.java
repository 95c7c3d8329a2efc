/**
 * The Redis twins. {@code RedisStore} calls one Lua script per operation (src/main/resources/redis, each
 * checking before its first write and declaring its flags), with every key hash-tagged {@code {paperId}}
 * for Cluster ({@code RedisKeys}, {@code ClusterSlots}). {@code RedisBroker} is the broker's facade (papers,
 * reconnect, listener) over a {@code SubscriberLink}: one generation of dedicated, never pooled
 * {@code Subscriber} connections (one, or one per Cluster master, see {@code SubscriberTargets} and
 * {@code ClusterTargets}), checked by the {@code LivenessProbe}. {@code PubSub} is the plain or sharded
 * flavour of pub/sub both sides use. Non-blocking vertx-redis-client calls on the node's event loop.
 */
package io.rollingpaper.node.backend.redis;
