/**
 * The Redis twins: {@code RedisStore} calls one Lua script per operation (src/main/resources/redis, each
 * checking before its first write and declaring its flags), with every key hash-tagged {@code {paperId}}
 * for Cluster; {@code RedisBroker} holds the dedicated (never pooled) subscriber connections, plain or
 * sharded pub/sub, and the liveness probe. Non-blocking vertx-redis-client calls on the event loop.
 */
package io.rollingpaper.node.backend.redis;
