/**
 * The Redis twins. {@code RedisStore} calls one function of the store's Redis Functions library per
 * operation ({@code LuaLibrary}: src/main/resources/redis, prelude.lua plus one script per function, each
 * checking before its first write and declaring its flags), with every key hash-tagged {@code {paperId}}
 * for Cluster ({@code RedisKeys}, {@code ClusterSlots}). What a function takes and answers is written once
 * in Java: {@code ...Call}/{@code ...Calls} build its arguments, {@code ...Reply} records read its reply,
 * and each script's header names them. {@code ReplicaConfirmation} runs the WAIT round trips and the
 * release of held-back deltas. {@code RedisBroker} is the broker's facade (papers, reconnect, listener)
 * over a {@code SubscriberLink}: one generation of dedicated, never pooled {@code Subscriber} connections
 * (one, or one per Cluster master, see {@code SubscriberTargets} and {@code ClusterTargets}), checked by
 * the {@code LivenessProbe}. {@code PubSub} is the plain or sharded flavour of pub/sub both sides use.
 * Non-blocking vertx-redis-client calls on the node's event loop; nothing here blocks.
 */
package io.rollingpaper.node.backend.redis;
