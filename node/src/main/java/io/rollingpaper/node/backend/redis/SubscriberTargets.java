package io.rollingpaper.node.backend.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.Redis;

import java.util.BitSet;
import java.util.List;

/** Where the subscriber connections go: one Redis, or one connection per Redis Cluster master. */
interface SubscriberTargets {

  /** The connections to open now: one, or one per Redis Cluster master with the slots it owns. */
  Future<List<Target>> resolve();

  Future<Void> close();

  /** One subscriber connection: where it connects and the hash slots whose channels it carries (null: all). */
  record Target(String name, Redis client, BitSet slots) {
  }

  /**
   * One connection from {@code subscriber}, a standalone or Sentinel client: each connect goes to the master
   * of the moment.
   */
  static SubscriberTargets single(Redis subscriber) {
    return new SubscriberTargets() {
      @Override
      public Future<List<Target>> resolve() {
        return Future.succeededFuture(List.of(new Target("redis", subscriber, null)));
      }

      @Override
      public Future<Void> close() {
        return subscriber.close();
      }
    };
  }
}
