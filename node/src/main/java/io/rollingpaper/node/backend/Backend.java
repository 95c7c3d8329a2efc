package io.rollingpaper.node.backend;

import io.rollingpaper.node.config.NodeConfig;
import io.rollingpaper.node.config.RedisSettings;
import io.rollingpaper.node.backend.memory.MemoryBroker;
import io.rollingpaper.node.backend.memory.MemoryStore;
import io.rollingpaper.node.backend.redis.RedisBroker;
import io.rollingpaper.node.backend.redis.RedisStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;

import java.util.ArrayList;

/**
 * A store and the broker that receives what it publishes: in memory (one node) or on Redis (a cluster).
 * {@link #create} starts the store; {@link #start} starts the broker once its listener exists (the listener
 * needs the store and the broker, so it is built in between).
 */
public record Backend(PaperStore store, Broker broker, String description) {

  /** Creates the backend the config names and starts its store; on Redis, fails if Redis cannot be reached now. */
  public static Future<Backend> create(Vertx vertx, Context context, NodeConfig config) {
    if (config.redis().isEmpty()) {
      MemoryBroker broker = new MemoryBroker(context);
      MemoryStore store = new MemoryStore(broker, config.limits(), config.papers().completedTtl(), config.papers().presenceTtl(),
          config.lifecycle().tombstoneTtl(), System::currentTimeMillis);
      return Future.succeededFuture(new Backend(store, broker, "in-memory (single node)"));
    }
    RedisSettings redis = config.redis().get();
    boolean cluster = redis.mode() == RedisSettings.Mode.CLUSTER;
    Redis commands = Redis.createClient(vertx, where(redis)
        .setMaxPoolSize(redis.poolSize())
        .setMaxPoolWaiting(redis.poolSize() * 256)
        .setMaxWaitingHandlers(64 * 1024));
    Redis confirming = redis.waitReplicas() == 0 ? commands : Redis.createClient(vertx, where(redis)
        .setMaxPoolSize(redis.poolSize())
        .setMaxPoolWaiting(redis.poolSize() * 256)
        .setMaxWaitingHandlers(64 * 1024));
    RedisStore store = new RedisStore(commands, confirming, config.limits(), config.papers().completedTtl(),
        config.papers().presenceTtl(), config.lifecycle().tombstoneTtl(), cluster, redis.waitReplicas(), redis.waitTimeout());
    RedisBroker broker = cluster
        ? RedisBroker.cluster(vertx, commands, redis.urls(), config.nodeId(), redis.probeInterval())
        : RedisBroker.single(vertx, Redis.createClient(vertx, where(redis).setMaxPoolSize(1).setMaxPoolWaiting(8)),
            commands, config.nodeId(), redis.probeInterval());
    String description = redis.describe() + (redis.waitReplicas() > 0
        ? ", ops acknowledged once " + redis.waitReplicas() + " replica(s) have them" : "");
    return store.start()
        .map(ignored -> new Backend(store, broker, description))
        .recover(error -> broker.close().eventually(store::close).transform(ignored -> Future.failedFuture(
            new IllegalStateException("cannot reach " + redis.describe() + ": " + error.getMessage(), error))));
  }

  /**
   * Starts delivering what arrives on the paper channels to {@code listener}; on Redis, fails (and closes the
   * backend) if the subscriber connections cannot be opened now.
   */
  public Future<Void> start(BrokerListener listener) {
    return broker.start(listener).recover(error -> close().transform(ignored -> Future.failedFuture(
        new IllegalStateException("cannot reach " + description + ": " + error.getMessage(), error))));
  }

  /**
   * Where Redis is. Sentinel: every connection asks the sentinels for the master of the moment (the answer
   * is cached for a second), so connections made after a failover go to the new master, while those to the
   * old one fail (a write on a demoted master fails READONLY) and ops on them are answered unavailable. The
   * client's own "auto failover" is not used: it swaps a connection's socket for one to the new master
   * without its handler or its subscriptions, which is the silent subscription the broker's probe exists
   * to catch; the broker rebuilds its connections itself.
   */
  private static RedisOptions where(RedisSettings redis) {
    return switch (redis.mode()) {
      case STANDALONE -> new RedisOptions().setConnectionString(redis.urls().get(0));
      case SENTINEL -> new RedisOptions().setType(RedisClientType.SENTINEL)
          .setEndpoints(new ArrayList<>(redis.sentinels()))
          .setMasterName(redis.masterName().orElseThrow())
          .setRole(RedisRole.MASTER);
      case CLUSTER -> new RedisOptions().setType(RedisClientType.CLUSTER)
          .setEndpoints(new ArrayList<>(redis.urls()));
    };
  }

  public Future<Void> close() {
    return broker.close().eventually(store::close);
  }
}
