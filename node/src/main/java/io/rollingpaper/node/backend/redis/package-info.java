/**
 * The Redis twins: {@code RedisStore} calls one function of the store's Redis Functions library per operation
 * ({@code LuaLibrary}: src/main/resources/redis, prelude.lua plus one script per function, each checking
 * before its first write and declaring its flags), with every key hash-tagged {@code {paperId}} for Cluster.
 * What a function takes and answers is written once in Java: {@code ...Call}/{@code ...Calls} build its
 * arguments, {@code ...Reply} records read its reply, and each script's header names them.
 * {@code ReplicaConfirmation} runs the WAIT round trips and the release of held-back deltas.
 * {@code RedisBroker} holds the dedicated (never pooled) subscriber connections, plain or sharded pub/sub,
 * and the liveness probe. Non-blocking vertx-redis-client calls on the event loop; nothing here blocks.
 */
package io.rollingpaper.node.backend.redis;
