package io.rollingpaper.node.backend.redis;

import io.rollingpaper.node.backend.Broker;
import io.rollingpaper.node.backend.BrokerListener;
import io.rollingpaper.node.backend.ChannelMessage;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The broker on Redis: one channel per paper this node serves, never a pattern, subscribed on dedicated
 * connections ({@link SubscriberLink}). Outside Redis Cluster there is one connection, to the Redis that
 * takes the writes (the standalone server, or the master Sentinel names now); on Redis Cluster there is one
 * per master, each with {@code SSUBSCRIBE} for the papers whose hash slots that master owns. A
 * {@link LivenessProbe} checks that each connection still delivers.
 *
 * <p><b>Recovery.</b> When any connection drops, is dropped by Redis (a moved slot) or fails its probe, all
 * of them are rebuilt: reconnect with capped exponential back-off (asking where the master or the slots
 * are now), subscribe again to every paper, then tell the listener so the node repairs what it missed.
 */
public final class RedisBroker implements Broker {
  private static final Logger LOG = LoggerFactory.getLogger(RedisBroker.class);
  private static final long MIN_BACKOFF_MS = 50;
  private static final long MAX_BACKOFF_MS = 2000;

  private final Vertx vertx;
  private final SubscriberTargets targets;
  private final String node;
  private final PubSub pubSub;
  private final long probeIntervalMs;
  private final long confirmTimeoutMs;
  private final LivenessProbe probe;
  private final SubscriberLink.Events events = new LinkEvents();
  private final Set<String> papers = new HashSet<>();
  /** Subscriptions asked for and not yet confirmed by Redis. */
  private final Map<String, Future<Void>> confirming = new HashMap<>();
  private BrokerListener listener;
  private SubscriberLink link;
  private long backoffMs = MIN_BACKOFF_MS;
  private long lostAt = -1;
  private boolean closed;

  private RedisBroker(Vertx vertx, SubscriberTargets targets, Redis publisher, String node, boolean sharded,
                      Duration probeInterval) {
    this.vertx = vertx;
    this.targets = targets;
    this.node = node;
    this.pubSub = PubSub.of(sharded);
    this.probeIntervalMs = Math.max(100, probeInterval.toMillis());
    this.confirmTimeoutMs = Math.max(2000, probeIntervalMs);
    this.probe = new LivenessProbe(vertx, publisher, pubSub, node, probeIntervalMs, () -> closed ? null : link);
  }

  /**
   * One subscriber connection from {@code subscriber} (a standalone or Sentinel client: each connect goes to
   * the master of the moment); probes are published with {@code publisher}, the command client.
   */
  public static RedisBroker single(Vertx vertx, Redis subscriber, Redis publisher, String node, Duration probeInterval) {
    return new RedisBroker(vertx, SubscriberTargets.single(subscriber), publisher, node, false, probeInterval);
  }

  /** One subscriber connection per Redis Cluster master, found through {@code commands} (the cluster client). */
  public static RedisBroker cluster(Vertx vertx, Redis commands, List<String> seeds, String node,
                                    Duration probeInterval) {
    return new RedisBroker(vertx, new ClusterTargets(vertx, commands, seeds), commands, node, true, probeInterval);
  }

  /** Connects for the first time; fails when Redis cannot be reached now. */
  @Override
  public Future<Void> start(BrokerListener listener) {
    this.listener = listener;
    return connectLink().compose(fresh -> {
      link = fresh;
      probe.start();
      probe.probeAll(fresh);
      // Wait (a little) for the first probe, so a node is ready as soon as it starts; readiness tells otherwise.
      Promise<Void> firstProbe = Promise.promise();
      fresh.onLive = firstProbe::tryComplete;
      vertx.setTimer(probeIntervalMs, t -> firstProbe.tryComplete());
      return firstProbe.future();
    });
  }

  @Override
  public Future<Void> subscribe(String paper) {
    Future<Void> pending = confirming.get(paper);
    if (pending != null) {
      return pending;
    }
    if (!papers.add(paper)) {
      return Future.succeededFuture();
    }
    SubscriberLink current = link;
    if (current == null) {
      papers.remove(paper);
      return Future.failedFuture(new IllegalStateException("the subscriber connection is down"));
    }
    Subscriber subscriber = current.route(paper);
    if (subscriber == null) {
      papers.remove(paper);
      lost(current, "no subscriber connection owns the slot of " + paper);
      return Future.failedFuture(new IllegalStateException("the cluster's slots moved; resubscribing"));
    }
    String channel = RedisKeys.channelOf(paper);
    subscriber.channels.add(channel);
    Promise<Void> subscribed = Promise.promise();
    confirming.put(paper, subscribed.future());
    subscriber.subscribe(List.of(channel)).onComplete(done -> {
      confirming.remove(paper, subscribed.future());
      if (done.failed() && !confirming.containsKey(paper)) {
        papers.remove(paper);
        subscriber.channels.remove(channel);
      }
      subscribed.handle(done);
    });
    return subscribed.future();
  }

  @Override
  public Future<Void> unsubscribe(String paper) {
    SubscriberLink current = link;
    // A subscription still being confirmed is overtaken by this: the next subscribe asks again.
    confirming.remove(paper);
    if (!papers.remove(paper) || current == null) {
      return Future.succeededFuture();
    }
    Subscriber subscriber = current.route(paper);
    if (subscriber == null) {
      return Future.succeededFuture();
    }
    return subscriber.unsubscribe(RedisKeys.channelOf(paper));
  }

  @Override
  public boolean connected() {
    return state() == State.LIVE;
  }

  @Override
  public State state() {
    SubscriberLink current = link;
    if (current == null) {
      return State.DOWN;
    }
    return current.live() ? State.LIVE : State.UNCONFIRMED;
  }

  @Override
  public Future<Void> close() {
    closed = true;
    probe.stop();
    SubscriberLink current = link;
    link = null;
    Future<Void> closing = current == null ? Future.succeededFuture() : current.close("broker closed");
    return closing.eventually(targets::close);
  }

  // ---- connections --------------------------------------------------------------------------

  private Future<SubscriberLink> connectLink() {
    return targets.resolve().compose(list -> SubscriberLink.open(vertx, pubSub, node, confirmTimeoutMs, events, list,
        probe::channelFor, papers));
  }

  private void lost(SubscriberLink which, String why) {
    which.close(why);
    if (link != which || closed) {
      return;
    }
    link = null;
    lostAt = System.currentTimeMillis();
    LOG.warn("node={} lost the Redis subscriptions ({}); {} papers to resubscribe", node, why, papers.size());
    reconnectLater();
  }

  private void reconnectLater() {
    long delay = backoffMs;
    backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    vertx.setTimer(delay, id -> reconnect());
  }

  private void reconnect() {
    if (closed) {
      return;
    }
    connectLink().onSuccess(fresh -> {
      if (closed) {
        fresh.close("broker closed");
        return;
      }
      link = fresh;
      backoffMs = MIN_BACKOFF_MS;
      dropUnwanted(fresh);
      LOG.info("node={} resubscribed to {} papers on {} connection(s) after {} ms", node, papers.size(),
          fresh.subscribers.size(), System.currentTimeMillis() - lostAt);
      probe.probeAll(fresh);
      listener.onResubscribed();
    }).onFailure(error -> {
      LOG.warn("node={} cannot resubscribe yet: {}", node, error.getMessage());
      reconnectLater();
    });
  }

  /** Papers left while the connections were being rebuilt were subscribed all the same: unsubscribe them. */
  private void dropUnwanted(SubscriberLink fresh) {
    for (Subscriber subscriber : fresh.subscribers) {
      for (String channel : List.copyOf(subscriber.channels)) {
        if (!papers.contains(RedisKeys.paperOfChannel(channel))) {
          subscriber.unsubscribe(channel);
        }
      }
    }
  }

  /** What the subscriber connections report. */
  private final class LinkEvents implements SubscriberLink.Events {
    @Override
    public void onMessage(String channel, Buffer payload) {
      String paper = RedisKeys.paperOfChannel(channel);
      if (paper == null || !papers.contains(paper)) {
        return;
      }
      ChannelMessage message = ChannelMessage.parse(payload);
      if (message == null) {
        LOG.warn("node={} paper={} ignored a malformed channel message", node, paper);
      } else {
        listener.onMessage(paper, message);
      }
    }

    @Override
    public void onProbe(Subscriber subscriber, String token) {
      probe.onProbe(subscriber, token);
    }

    @Override
    public boolean wanted(String channel) {
      String paper = RedisKeys.paperOfChannel(channel);
      return paper != null && papers.contains(paper);
    }

    @Override
    public void lost(SubscriberLink which, String why) {
      RedisBroker.this.lost(which, why);
    }
  }
}
