package io.rollingpaper.node.backend.redis;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One dedicated subscriber connection (never a pooled one: a subscribed connection cannot run commands) and
 * what it carries: the paper channels routed to it and its probe channel. {@link #subscribe} succeeds once
 * Redis has confirmed every channel, not when the command was written, so a read made afterwards cannot
 * miss a message published in between. Anything wrong on the connection loses its whole {@link SubscriberLink}.
 */
final class Subscriber {
  private static final Logger LOG = LoggerFactory.getLogger(Subscriber.class);
  /** Channels per SUBSCRIBE command when resubscribing (SSUBSCRIBE takes one slot, so one paper, at a time). */
  private static final int SUBSCRIBE_CHUNK = 256;

  final SubscriberLink link;
  final SubscriberTargets.Target target;
  final String probeChannel;
  /** The paper channels subscribed on this connection. */
  final Set<String> channels = new HashSet<>();
  /** Subscriptions written and not yet confirmed by Redis. */
  private final Map<String, List<Promise<Void>>> awaiting = new HashMap<>();
  /** Unsubscriptions asked for and not yet confirmed, by channel: their confirmations are not a drop. */
  private final Map<String, Integer> unsubscribing = new HashMap<>();
  private RedisConnection connection;

  // The liveness probe's state for this connection (LivenessProbe keeps it).
  boolean confirmed;
  String probeToken;
  long probeSentAt;
  long lastProbeAt;

  Subscriber(SubscriberLink link, SubscriberTargets.Target target, String probeChannel) {
    this.link = link;
    this.target = target;
    this.probeChannel = probeChannel;
  }

  /** Connects and subscribes to {@code channels}. */
  Future<Void> open(List<String> channels) {
    return target.client().connect().compose(conn -> {
      connection = conn;
      if (link.dead()) {
        return conn.close().transform(ignored -> Future.failedFuture("superseded"));
      }
      conn.handler(push -> {
        try {
          onPush(push);
        } catch (RuntimeException e) {
          // Never into the client's parser: an exception thrown from here would leave it mid-buffer, and the
          // connection would misread everything after (a subscription that silently stops delivering).
          LOG.error("node={} failed to handle a message from {}", link.node, target.name(), e);
        }
      });
      conn.exceptionHandler(error -> link.lost(target.name() + ": " + error.getMessage()));
      conn.endHandler(ignored -> link.lost(target.name() + ": connection closed"));
      return requireMaster(conn).compose(ignored -> subscribe(channels));
    });
  }

  /**
   * Subscribes on masters only. Right after a failover a Sentinel client can still be given the old master's
   * address (its answer is cached), and by then that server may be back as a replica: a subscription there
   * hears the master's publications only while it replicates, and nothing would move it to the master. Failing
   * the open makes the broker rebuild the link, asking the sentinels again.
   */
  private Future<Void> requireMaster(RedisConnection conn) {
    return conn.send(Request.cmd(Command.ROLE)).compose(role -> {
      String name = role == null || role.size() == 0 ? "?" : role.get(0).toString();
      return "master".equals(name) ? Future.succeededFuture()
          : Future.failedFuture(target.name() + " answered ROLE " + name + ", not master: not subscribing there");
    });
  }

  /** Subscribes and succeeds once Redis has confirmed every channel. */
  Future<Void> subscribe(List<String> list) {
    List<Future<Void>> confirmations = new ArrayList<>(list.size());
    for (String channel : list) {
      Promise<Void> confirmation = Promise.promise();
      awaiting.computeIfAbsent(channel, c -> new ArrayList<>()).add(confirmation);
      confirmations.add(confirmation.future());
    }
    int chunk = link.pubSub.sharded() ? 1 : SUBSCRIBE_CHUNK;
    for (int from = 0; from < list.size(); from += chunk) {
      Request request = Request.cmd(link.pubSub.subscribe());
      list.subList(from, Math.min(list.size(), from + chunk)).forEach(request::arg);
      connection.send(request).onFailure(error -> failAwaiting(error.getMessage()));
    }
    long timeoutMs = link.confirmTimeoutMs;
    long timer = link.vertx.setTimer(timeoutMs, t -> {
      if (confirmations.stream().anyMatch(f -> !f.isComplete())) {
        failAwaiting("Redis did not confirm the subscriptions within " + timeoutMs + " ms");
        link.lost("subscriptions not confirmed");
      }
    });
    return Future.all(confirmations).<Void>mapEmpty().andThen(done -> link.vertx.cancelTimer(timer));
  }

  Future<Void> unsubscribe(String channel) {
    channels.remove(channel);
    unsubscribing.merge(channel, 1, Integer::sum);
    return connection.send(Request.cmd(link.pubSub.unsubscribe()).arg(channel)).mapEmpty();
  }

  void failAwaiting(String why) {
    List<Promise<Void>> all = new ArrayList<>();
    awaiting.values().forEach(all::addAll);
    awaiting.clear();
    all.forEach(promise -> promise.tryFail(why));
  }

  Future<Void> close() {
    return connection == null ? Future.succeededFuture() : connection.close();
  }

  private void onPush(Response push) {
    if (push.type() == ResponseType.ERROR) {
      link.lost(target.name() + " answered " + push);
      return;
    }
    if (push.type() != ResponseType.PUSH && push.type() != ResponseType.MULTI) {
      link.lost(target.name() + " sent a " + push.type() + " where only pub/sub messages belong");
      return;
    }
    if (push.size() < 2 || push.get(0) == null || push.get(1) == null) {
      return;
    }
    String kind = push.get(0).toString();
    String channel = push.get(1).toString();
    if (link.pubSub.messageKind().equals(kind) && push.size() >= 3) {
      if (channel.equals(probeChannel)) {
        link.events.onProbe(this, push.get(2).toString());
      } else {
        link.events.onMessage(channel, push.get(2).toBuffer());
      }
    } else if (link.pubSub.subscribeKind().equals(kind)) {
      List<Promise<Void>> waiting = awaiting.remove(channel);
      if (waiting != null) {
        waiting.forEach(Promise::tryComplete);
      }
    } else if (link.pubSub.unsubscribeKind().equals(kind)) {
      onUnsubscribed(channel);
    }
  }

  private void onUnsubscribed(String channel) {
    Integer asked = unsubscribing.get(channel);
    if (asked != null) {
      if (asked <= 1) {
        unsubscribing.remove(channel);
      } else {
        unsubscribing.put(channel, asked - 1);
      }
      return;
    }
    if (channel.equals(probeChannel) || link.events.wanted(channel)) {
      // Redis Cluster drops the shard channels of a slot that moved to another master.
      link.lost(target.name() + " dropped the subscription to " + channel);
    }
  }
}
