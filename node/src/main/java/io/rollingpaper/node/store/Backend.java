package io.rollingpaper.node.store;

import io.rollingpaper.node.broker.Broker;
import io.rollingpaper.node.config.NodeConfig;
import io.rollingpaper.node.config.RedisSettings;
import io.rollingpaper.node.store.memory.MemoryBroker;
import io.rollingpaper.node.store.memory.MemoryStore;
import io.rollingpaper.node.store.redis.RedisBroker;
import io.rollingpaper.node.store.redis.RedisStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;

/** A store and the broker that receives what it publishes: in memory (one node) or on Redis (a cluster). */
public record Backend(PaperStore store, Broker broker, String description) {

  /** Creates the backend the config names; on Redis, fails if Redis cannot be reached now. */
  public static Future<Backend> create(Vertx vertx, Context context, NodeConfig config) {
    if (config.redis().isEmpty()) {
      MemoryBroker broker = new MemoryBroker(context);
      MemoryStore store = new MemoryStore(broker, config.limits(), config.completedTtl(), config.presenceTtl(),
          System::currentTimeMillis);
      return Future.succeededFuture(new Backend(store, broker, "in-memory (single node)"));
    }
    RedisSettings redis = config.redis().get();
    String url = redis.urls().get(0);
    RedisOptions commands = new RedisOptions().setConnectionString(url)
        .setMaxPoolSize(redis.poolSize())
        .setMaxPoolWaiting(redis.poolSize() * 256)
        .setMaxWaitingHandlers(64 * 1024);
    RedisOptions subscriptions = new RedisOptions().setConnectionString(url).setMaxPoolSize(1).setMaxPoolWaiting(8);
    RedisStore store = new RedisStore(Redis.createClient(vertx, commands), config.limits(), config.completedTtl(),
        config.presenceTtl());
    RedisBroker broker = new RedisBroker(vertx, Redis.createClient(vertx, subscriptions), config.nodeId());
    return store.start()
        .compose(ignored -> broker.start())
        .map(ignored -> new Backend(store, broker, redis.describe()))
        .recover(error -> store.close().transform(ignored -> Future.failedFuture(
            new IllegalStateException("cannot reach " + redis.describe() + ": " + error.getMessage(), error))));
  }

  public Future<Void> close() {
    return broker.close().eventually(store::close);
  }
}
