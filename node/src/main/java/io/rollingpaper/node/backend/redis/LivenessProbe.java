package io.rollingpaper.node.backend.redis;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.BitSet;
import java.util.function.Supplier;

/**
 * The subscriptions' liveness probe. Every probe interval the node publishes a token, through the command
 * client, on a probe channel of its own on every subscriber's shard, and expects it back on that subscriber
 * within the interval. A connection that looks healthy but delivers nothing (or a publication that reaches
 * no subscriber) is reported lost like a dropped one. Until a probe has come back on every connection of a
 * link, the link is not live and readiness fails.
 */
final class LivenessProbe {
  private static final Logger LOG = LoggerFactory.getLogger(LivenessProbe.class);
  private final Vertx vertx;
  private final Redis publisher;
  private final PubSub pubSub;
  private final String node;
  private final long intervalMs;
  private final Supplier<SubscriberLink> current;
  private long timer = -1;
  private long counter;

  /**
   * @param publisher the command client the tokens are published with
   * @param current   the link to probe now (null while there is none)
   */
  LivenessProbe(Vertx vertx, Redis publisher, PubSub pubSub, String node, long intervalMs,
                Supplier<SubscriberLink> current) {
    this.vertx = vertx;
    this.publisher = publisher;
    this.pubSub = pubSub;
    this.node = node;
    this.intervalMs = intervalMs;
    this.current = current;
  }

  void start() {
    timer = vertx.setPeriodic(Math.max(50, intervalMs / 2), id -> round());
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** A channel of this node's own whose slot the target owns ({@code slots}; null: any), for the probe. */
  String channelFor(BitSet slots) {
    String tag = "node:" + node.replaceAll("[^A-Za-z0-9_.:-]", "_");
    if (slots == null) {
      return "rp:{" + tag + "}:probe";
    }
    for (int k = 0; ; k++) {
      String channel = "rp:{" + tag + ":" + k + "}:probe";
      if (slots.get(ClusterSlots.of(channel))) {
        return channel;
      }
    }
  }

  /** Probes every connection of a link now (a fresh one: its probes confirm it live). */
  void probeAll(SubscriberLink link) {
    link.subscribers.forEach(this::send);
  }

  private void round() {
    SubscriberLink link = current.get();
    if (link == null) {
      return;
    }
    long now = System.currentTimeMillis();
    for (Subscriber subscriber : link.subscribers) {
      if (subscriber.probeToken != null && now - subscriber.probeSentAt >= intervalMs) {
        link.lost(subscriber.target.name() + ": the liveness probe did not come back within " + intervalMs
            + " ms (the connection delivers nothing)");
        return;
      }
    }
    for (Subscriber subscriber : link.subscribers) {
      if (subscriber.probeToken == null && now - subscriber.lastProbeAt >= intervalMs) {
        send(subscriber);
      }
    }
  }

  private void send(Subscriber subscriber) {
    String token = node + " " + (++counter);
    long now = System.currentTimeMillis();
    subscriber.probeToken = token;
    subscriber.probeSentAt = now;
    subscriber.lastProbeAt = now;
    publisher.send(Request.cmd(pubSub.publish()).arg(subscriber.probeChannel).arg(token)).onComplete(sent -> {
      if (!token.equals(subscriber.probeToken)) {
        return;
      }
      if (sent.failed()) {
        // Redis cannot take the probe: no verdict on the subscription (the store's failures show elsewhere).
        subscriber.probeToken = null;
      } else if (sent.result() != null && sent.result().toLong() == 0L) {
        subscriber.link.lost(subscriber.target.name() + ": the liveness probe reached no subscriber");
      }
    });
  }

  /** A token came back on {@code subscriber}. */
  void onProbe(Subscriber subscriber, String token) {
    if (!token.equals(subscriber.probeToken)) {
      return;
    }
    subscriber.probeToken = null;
    if (!subscriber.confirmed) {
      subscriber.confirmed = true;
      SubscriberLink link = subscriber.link;
      if (link.live()) {
        LOG.debug("node={} subscriptions confirmed live", node);
        if (link.onLive != null) {
          link.onLive.run();
        }
      }
    }
  }
}
