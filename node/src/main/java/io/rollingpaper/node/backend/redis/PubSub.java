package io.rollingpaper.node.backend.redis;

import io.vertx.redis.client.Command;

/**
 * The pub/sub commands and push kinds of one flavour: plain ({@code SUBSCRIBE}, {@code PUBLISH}, pushes
 * {@code message}) outside Redis Cluster, sharded ({@code SSUBSCRIBE}, {@code SPUBLISH}, pushes
 * {@code smessage}) on it, where a paper's channel lives on the shard of its keys. The store publishes and
 * the broker subscribes with the same flavour, or they would never meet.
 *
 * @param publishName the publish command's name, as the scripts receive it (they call it by name)
 */
record PubSub(Command subscribe, Command unsubscribe, Command publish, String publishName,
              String messageKind, String subscribeKind, String unsubscribeKind) {

  static final PubSub PLAIN = new PubSub(Command.SUBSCRIBE, Command.UNSUBSCRIBE, Command.PUBLISH, "PUBLISH",
      "message", "subscribe", "unsubscribe");
  static final PubSub SHARDED = new PubSub(Command.SSUBSCRIBE, Command.SUNSUBSCRIBE, Command.SPUBLISH, "SPUBLISH",
      "smessage", "ssubscribe", "sunsubscribe");

  static PubSub of(boolean sharded) {
    return sharded ? SHARDED : PLAIN;
  }

  boolean sharded() {
    return this == SHARDED;
  }
}
