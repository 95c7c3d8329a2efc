package io.rollingpaper.node.backend.redis;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One generation of subscriber connections: one {@link Subscriber} per target (one Redis, or one per Redis
 * Cluster master), lost as a whole when any of them is; the broker then builds the next generation.
 */
final class SubscriberLink {

  /** What the connections report to the broker. Called on the node's event loop. */
  interface Events {
    /** A message on a channel that is not a probe channel. */
    void onMessage(String channel, Buffer payload);

    /** A probe token came back on {@code subscriber}. */
    void onProbe(Subscriber subscriber, String token);

    /** Whether a subscription to {@code channel} is still wanted (when Redis drops one that is, the link is lost). */
    boolean wanted(String channel);

    /** {@code link} is lost (it is closed already); may be called more than once, and for old generations. */
    void lost(SubscriberLink link, String why);
  }

  final Vertx vertx;
  final PubSub pubSub;
  final String node;
  final long confirmTimeoutMs;
  final Events events;
  final List<Subscriber> subscribers = new ArrayList<>();
  /** Run when the probe has come back on every connection (the first time). */
  Runnable onLive;
  private boolean dead;

  private SubscriberLink(Vertx vertx, PubSub pubSub, String node, long confirmTimeoutMs, Events events) {
    this.vertx = vertx;
    this.pubSub = pubSub;
    this.node = node;
    this.confirmTimeoutMs = confirmTimeoutMs;
    this.events = events;
  }

  /**
   * Connects to every target and subscribes to its probe channel and to the channels of the {@code papers}
   * whose slots it owns; succeeds once Redis has confirmed them all.
   */
  static Future<SubscriberLink> open(Vertx vertx, PubSub pubSub, String node, long confirmTimeoutMs, Events events,
                                     List<SubscriberTargets.Target> targets, Function<BitSet, String> probeChannels,
                                     Collection<String> papers) {
    SubscriberLink fresh = new SubscriberLink(vertx, pubSub, node, confirmTimeoutMs, events);
    Map<Subscriber, List<String>> channels = new HashMap<>();
    for (SubscriberTargets.Target target : targets) {
      Subscriber subscriber = new Subscriber(fresh, target, probeChannels.apply(target.slots()));
      fresh.subscribers.add(subscriber);
      channels.put(subscriber, new ArrayList<>(List.of(subscriber.probeChannel)));
    }
    for (String paper : papers) {
      Subscriber subscriber = fresh.route(paper);
      if (subscriber == null) {
        return Future.failedFuture(new IllegalStateException("no master owns the slot of paper " + paper));
      }
      String channel = RedisKeys.channelOf(paper);
      channels.get(subscriber).add(channel);
      subscriber.channels.add(channel);
    }
    List<Future<Void>> opened = new ArrayList<>();
    for (Subscriber subscriber : fresh.subscribers) {
      opened.add(subscriber.open(channels.get(subscriber)));
    }
    return Future.all(opened).transform(result -> {
      if (result.failed()) {
        return fresh.close(result.cause().getMessage()).transform(ignored -> Future.failedFuture(result.cause()));
      }
      return Future.succeededFuture(fresh);
    });
  }

  /** The connection that carries the paper's channel; null when none owns its slot (the slots moved). */
  Subscriber route(String paper) {
    if (subscribers.size() == 1 && subscribers.get(0).target.slots() == null) {
      return subscribers.get(0);
    }
    int slot = ClusterSlots.of(RedisKeys.channelOf(paper));
    for (Subscriber subscriber : subscribers) {
      if (subscriber.target.slots() == null || subscriber.target.slots().get(slot)) {
        return subscriber;
      }
    }
    return null;
  }

  /** Whether the probe has come back on every connection. */
  boolean live() {
    for (Subscriber subscriber : subscribers) {
      if (!subscriber.confirmed) {
        return false;
      }
    }
    return true;
  }

  boolean dead() {
    return dead;
  }

  /** Reports this generation lost: the broker closes it and builds the next. */
  void lost(String why) {
    events.lost(this, why);
  }

  Future<Void> close(String why) {
    if (dead) {
      return Future.succeededFuture();
    }
    dead = true;
    List<Future<Void>> closing = new ArrayList<>();
    for (Subscriber subscriber : subscribers) {
      subscriber.failAwaiting(why);
      closing.add(subscriber.close());
    }
    return Future.join(closing).<Void>mapEmpty().recover(ignored -> Future.succeededFuture());
  }
}
