package io.rollingpaper.node.backend.redis;

import io.rollingpaper.node.backend.Broker;
import io.rollingpaper.node.backend.BrokerListener;
import io.rollingpaper.node.backend.ChannelMessage;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Subscriptions on dedicated Redis connections (never pooled ones: a subscribed connection cannot run
 * commands), one channel per paper this node serves, never a pattern. Outside Redis Cluster there is one
 * connection, to the Redis that takes the writes (the standalone server, or the master Sentinel names
 * now); on Redis Cluster there is one per master, each with {@code SSUBSCRIBE} for the papers whose hash
 * slots that master owns.
 *
 * <p><b>Confirmed subscriptions.</b> {@link #subscribe} succeeds when Redis has confirmed the
 * subscription, not when the command was written, so a read made afterwards cannot miss a delta
 * published in between.
 *
 * <p><b>Liveness probe.</b> Every probe interval the node publishes a token, through the command client, on
 * a probe channel of its own on every connection's shard, and expects it back on that connection within
 * the interval. A connection that looks healthy but delivers nothing (or a publication that reaches no
 * subscriber) is treated like a dropped one. Until a probe has come back on every connection, the
 * subscriptions are not live and readiness fails.
 *
 * <p><b>Recovery.</b> When any connection drops, is dropped by Redis (a moved slot) or fails its probe, all
 * of them are rebuilt: reconnect with capped exponential back-off (asking where the master or the slots
 * are now), subscribe again to every paper, then tell the listener so the node repairs what it missed.
 */
public final class RedisBroker implements Broker {
  private static final Logger LOG = LoggerFactory.getLogger(RedisBroker.class);
  private static final long MIN_BACKOFF_MS = 50;
  private static final long MAX_BACKOFF_MS = 2000;
  /** Channels per SUBSCRIBE command when resubscribing (SSUBSCRIBE takes one slot, so one paper, at a time). */
  private static final int SUBSCRIBE_CHUNK = 256;

  /** Where the subscriber connections go. */
  public interface Targets {
    /** The connections to open now: one, or one per Redis Cluster master with the slots it owns. */
    Future<List<Target>> resolve();

    Future<Void> close();
  }

  /** One subscriber connection: where it connects and the hash slots whose channels it carries (null: all). */
  public record Target(String name, Redis client, BitSet slots) {
  }

  private final Vertx vertx;
  private final Targets targets;
  private final Redis publisher;
  private final String node;
  private final boolean sharded;
  private final long probeIntervalMs;
  private final long confirmTimeoutMs;
  private final Command subscribeCommand;
  private final Command unsubscribeCommand;
  private final Command publishCommand;
  private final String messageKind;
  private final String subscribeKind;
  private final String unsubscribeKind;
  private final Set<String> papers = new HashSet<>();
  /** Subscriptions asked for and not yet confirmed by Redis. */
  private final Map<String, Future<Void>> confirming = new HashMap<>();
  private BrokerListener listener;
  private Link link;
  private long backoffMs = MIN_BACKOFF_MS;
  private long probeTimer = -1;
  private long probeCounter;
  private long lostAt = -1;
  private boolean closed;

  private RedisBroker(Vertx vertx, Targets targets, Redis publisher, String node, boolean sharded,
                      Duration probeInterval) {
    this.vertx = vertx;
    this.targets = targets;
    this.publisher = publisher;
    this.node = node;
    this.sharded = sharded;
    this.probeIntervalMs = Math.max(100, probeInterval.toMillis());
    this.confirmTimeoutMs = Math.max(2000, probeIntervalMs);
    this.subscribeCommand = sharded ? Command.SSUBSCRIBE : Command.SUBSCRIBE;
    this.unsubscribeCommand = sharded ? Command.SUNSUBSCRIBE : Command.UNSUBSCRIBE;
    this.publishCommand = sharded ? Command.SPUBLISH : Command.PUBLISH;
    this.messageKind = sharded ? "smessage" : "message";
    this.subscribeKind = sharded ? "ssubscribe" : "subscribe";
    this.unsubscribeKind = sharded ? "sunsubscribe" : "unsubscribe";
  }

  /**
   * One subscriber connection from {@code subscriber} (a standalone or Sentinel client: each connect goes to
   * the master of the moment); probes are published with {@code publisher}, the command client.
   */
  public static RedisBroker single(Vertx vertx, Redis subscriber, Redis publisher, String node, Duration probeInterval) {
    Targets one = new Targets() {
      @Override
      public Future<List<Target>> resolve() {
        return Future.succeededFuture(List.of(new Target("redis", subscriber, null)));
      }

      @Override
      public Future<Void> close() {
        return subscriber.close();
      }
    };
    return new RedisBroker(vertx, one, publisher, node, false, probeInterval);
  }

  /** One subscriber connection per Redis Cluster master, found through {@code commands} (the cluster client). */
  public static RedisBroker cluster(Vertx vertx, Redis commands, List<String> seeds, String node,
                                    Duration probeInterval) {
    return new RedisBroker(vertx, new ClusterTargets(vertx, commands, seeds), commands, node, true, probeInterval);
  }

  /** Connects for the first time; fails when Redis cannot be reached at start. */
  public Future<Void> start() {
    return connectLink().compose(fresh -> {
      link = fresh;
      probeTimer = vertx.setPeriodic(Math.max(50, probeIntervalMs / 2), id -> probeRound());
      fresh.shards.forEach(this::sendProbe);
      // Wait (a little) for the first probe, so a node is ready as soon as it starts; readiness tells otherwise.
      Promise<Void> firstProbe = Promise.promise();
      fresh.onLive = firstProbe::tryComplete;
      vertx.setTimer(probeIntervalMs, t -> firstProbe.tryComplete());
      return firstProbe.future();
    });
  }

  @Override
  public void listener(BrokerListener listener) {
    this.listener = listener;
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
    Link current = link;
    if (current == null) {
      papers.remove(paper);
      return Future.failedFuture(new IllegalStateException("the subscriber connection is down"));
    }
    Shard shard = current.route(paper);
    if (shard == null) {
      papers.remove(paper);
      lost(current, "no subscriber connection owns the slot of " + paper);
      return Future.failedFuture(new IllegalStateException("the cluster's slots moved; resubscribing"));
    }
    String channel = RedisKeys.channelOf(paper);
    shard.channels.add(channel);
    Promise<Void> subscribed = Promise.promise();
    confirming.put(paper, subscribed.future());
    subscribeAll(shard, List.of(channel)).onComplete(done -> {
      confirming.remove(paper, subscribed.future());
      if (done.failed() && !confirming.containsKey(paper)) {
        papers.remove(paper);
        shard.channels.remove(channel);
      }
      subscribed.handle(done);
    });
    return subscribed.future();
  }

  @Override
  public Future<Void> unsubscribe(String paper) {
    Link current = link;
    // A subscription still being confirmed is overtaken by this: the next subscribe asks again.
    confirming.remove(paper);
    if (!papers.remove(paper) || current == null) {
      return Future.succeededFuture();
    }
    Shard shard = current.route(paper);
    if (shard == null) {
      return Future.succeededFuture();
    }
    String channel = RedisKeys.channelOf(paper);
    shard.channels.remove(channel);
    shard.unsubscribing.merge(channel, 1, Integer::sum);
    return shard.connection.send(Request.cmd(unsubscribeCommand).arg(channel)).mapEmpty();
  }

  @Override
  public boolean connected() {
    return state() == State.LIVE;
  }

  @Override
  public State state() {
    Link current = link;
    if (current == null) {
      return State.DOWN;
    }
    return current.live() ? State.LIVE : State.UNCONFIRMED;
  }

  @Override
  public Future<Void> close() {
    closed = true;
    if (probeTimer >= 0) {
      vertx.cancelTimer(probeTimer);
    }
    Link current = link;
    link = null;
    Future<Void> closing = current == null ? Future.succeededFuture() : current.close("broker closed");
    return closing.eventually(targets::close);
  }

  // ---- connections --------------------------------------------------------------------------

  /** One generation of subscriber connections, lost as a whole when any of them is. */
  private final class Link {
    final List<Shard> shards = new ArrayList<>();
    Runnable onLive;
    boolean dead;

    Shard route(String paper) {
      if (shards.size() == 1 && shards.get(0).target.slots() == null) {
        return shards.get(0);
      }
      int slot = ClusterSlots.of(RedisKeys.channelOf(paper));
      for (Shard shard : shards) {
        if (shard.target.slots() == null || shard.target.slots().get(slot)) {
          return shard;
        }
      }
      return null;
    }

    boolean live() {
      for (Shard shard : shards) {
        if (!shard.confirmed) {
          return false;
        }
      }
      return true;
    }

    Future<Void> close(String why) {
      if (dead) {
        return Future.succeededFuture();
      }
      dead = true;
      List<Future<Void>> closing = new ArrayList<>();
      for (Shard shard : shards) {
        shard.failAwaiting(why);
        if (shard.connection != null) {
          closing.add(shard.connection.close());
        }
      }
      return Future.join(closing).<Void>mapEmpty().recover(ignored -> Future.succeededFuture());
    }
  }

  /** One subscriber connection and its probe. */
  private final class Shard {
    final Link link;
    final Target target;
    final String probeChannel;
    final Map<String, List<Promise<Void>>> awaiting = new HashMap<>();
    final Map<String, Integer> unsubscribing = new HashMap<>();
    /** The paper channels subscribed on this connection. */
    final Set<String> channels = new HashSet<>();
    RedisConnection connection;
    boolean confirmed;
    String probeToken;
    long probeSentAt;
    long lastProbeAt;

    Shard(Link link, Target target) {
      this.link = link;
      this.target = target;
      this.probeChannel = probeChannel(target.slots());
    }

    void failAwaiting(String why) {
      List<Promise<Void>> all = new ArrayList<>();
      awaiting.values().forEach(all::addAll);
      awaiting.clear();
      all.forEach(promise -> promise.tryFail(why));
    }
  }

  /** A channel of this node's own whose slot the target owns, for the probe. */
  private String probeChannel(BitSet slots) {
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

  private Future<Link> connectLink() {
    return targets.resolve().compose(list -> {
      Link fresh = new Link();
      Map<Shard, List<String>> channels = new HashMap<>();
      for (Target target : list) {
        Shard shard = new Shard(fresh, target);
        fresh.shards.add(shard);
        channels.put(shard, new ArrayList<>(List.of(shard.probeChannel)));
      }
      for (String paper : papers) {
        Shard shard = fresh.route(paper);
        if (shard == null) {
          return Future.failedFuture(new IllegalStateException("no master owns the slot of paper " + paper));
        }
        channels.get(shard).add(RedisKeys.channelOf(paper));
        shard.channels.add(RedisKeys.channelOf(paper));
      }
      List<Future<Void>> opened = new ArrayList<>();
      for (Shard shard : fresh.shards) {
        opened.add(open(shard, channels.get(shard)));
      }
      return Future.all(opened).transform(result -> {
        if (result.failed()) {
          return fresh.close(result.cause().getMessage()).transform(ignored -> Future.failedFuture(result.cause()));
        }
        return Future.succeededFuture(fresh);
      });
    });
  }

  private Future<Void> open(Shard shard, List<String> channels) {
    return shard.target.client().connect().compose(conn -> {
      shard.connection = conn;
      if (shard.link.dead) {
        return conn.close().transform(ignored -> Future.failedFuture("superseded"));
      }
      conn.handler(push -> {
        try {
          onPush(shard, push);
        } catch (RuntimeException e) {
          // Never into the client's parser: an exception thrown from here would leave it mid-buffer, and the
          // connection would misread everything after (a subscription that silently stops delivering).
          LOG.error("node={} failed to handle a message from {}", node, shard.target.name(), e);
        }
      });
      conn.exceptionHandler(error -> lost(shard.link, shard.target.name() + ": " + error.getMessage()));
      conn.endHandler(ignored -> lost(shard.link, shard.target.name() + ": connection closed"));
      return subscribeAll(shard, channels);
    });
  }

  /** Subscribes and succeeds once Redis has confirmed every channel. */
  private Future<Void> subscribeAll(Shard shard, List<String> channels) {
    List<Future<Void>> confirmations = new ArrayList<>(channels.size());
    for (String channel : channels) {
      Promise<Void> confirmed = Promise.promise();
      shard.awaiting.computeIfAbsent(channel, c -> new ArrayList<>()).add(confirmed);
      confirmations.add(confirmed.future());
    }
    int chunk = sharded ? 1 : SUBSCRIBE_CHUNK;
    for (int from = 0; from < channels.size(); from += chunk) {
      Request request = Request.cmd(subscribeCommand);
      channels.subList(from, Math.min(channels.size(), from + chunk)).forEach(request::arg);
      shard.connection.send(request).onFailure(error -> shard.failAwaiting(error.getMessage()));
    }
    long timer = vertx.setTimer(confirmTimeoutMs, t -> {
      if (confirmations.stream().anyMatch(f -> !f.isComplete())) {
        shard.failAwaiting("Redis did not confirm the subscriptions within " + confirmTimeoutMs + " ms");
        lost(shard.link, "subscriptions not confirmed");
      }
    });
    return Future.all(confirmations).<Void>mapEmpty().andThen(done -> vertx.cancelTimer(timer));
  }

  private void onPush(Shard shard, Response push) {
    if (push.type() == ResponseType.ERROR) {
      lost(shard.link, shard.target.name() + " answered " + push);
      return;
    }
    if (push.type() != ResponseType.PUSH && push.type() != ResponseType.MULTI) {
      lost(shard.link, shard.target.name() + " sent a " + push.type() + " where only pub/sub messages belong");
      return;
    }
    if (push.size() < 2 || push.get(0) == null || push.get(1) == null) {
      return;
    }
    String kind = push.get(0).toString();
    String channel = push.get(1).toString();
    if (messageKind.equals(kind) && push.size() >= 3) {
      if (channel.equals(shard.probeChannel)) {
        onProbe(shard, push.get(2).toString());
      } else {
        onChannelMessage(channel, push);
      }
    } else if (subscribeKind.equals(kind)) {
      List<Promise<Void>> waiting = shard.awaiting.remove(channel);
      if (waiting != null) {
        waiting.forEach(Promise::tryComplete);
      }
    } else if (unsubscribeKind.equals(kind)) {
      Integer asked = shard.unsubscribing.get(channel);
      if (asked != null) {
        if (asked <= 1) {
          shard.unsubscribing.remove(channel);
        } else {
          shard.unsubscribing.put(channel, asked - 1);
        }
        return;
      }
      String paper = RedisKeys.paperOfChannel(channel);
      if (channel.equals(shard.probeChannel) || (paper != null && papers.contains(paper))) {
        // Redis Cluster drops the shard channels of a slot that moved to another master.
        lost(shard.link, shard.target.name() + " dropped the subscription to " + channel);
      }
    }
  }

  private void onChannelMessage(String channel, Response push) {
    String paper = RedisKeys.paperOfChannel(channel);
    if (paper == null || !papers.contains(paper)) {
      return;
    }
    ChannelMessage message = ChannelMessage.parse(paper, push.get(2).toBuffer());
    if (message == null) {
      LOG.warn("node={} paper={} ignored a malformed channel message", node, paper);
    } else if (listener != null) {
      listener.onMessage(message);
    }
  }

  private void lost(Link which, String why) {
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
          fresh.shards.size(), System.currentTimeMillis() - lostAt);
      fresh.shards.forEach(this::sendProbe);
      if (listener != null) {
        listener.onResubscribed();
      }
    }).onFailure(error -> {
      LOG.warn("node={} cannot resubscribe yet: {}", node, error.getMessage());
      reconnectLater();
    });
  }

  /** Papers left while the connections were being rebuilt were subscribed all the same: unsubscribe them. */
  private void dropUnwanted(Link fresh) {
    for (Shard shard : fresh.shards) {
      for (String channel : List.copyOf(shard.channels)) {
        if (!papers.contains(RedisKeys.paperOfChannel(channel))) {
          shard.channels.remove(channel);
          shard.unsubscribing.merge(channel, 1, Integer::sum);
          shard.connection.send(Request.cmd(unsubscribeCommand).arg(channel));
        }
      }
    }
  }

  // ---- liveness probe -------------------------------------------------------------------------

  private void probeRound() {
    Link current = link;
    if (current == null || closed) {
      return;
    }
    long now = System.currentTimeMillis();
    for (Shard shard : current.shards) {
      if (shard.probeToken != null && now - shard.probeSentAt >= probeIntervalMs) {
        lost(current, shard.target.name() + ": the liveness probe did not come back within " + probeIntervalMs
            + " ms (the connection delivers nothing)");
        return;
      }
    }
    for (Shard shard : current.shards) {
      if (shard.probeToken == null && now - shard.lastProbeAt >= probeIntervalMs) {
        sendProbe(shard);
      }
    }
  }

  private void sendProbe(Shard shard) {
    String token = node + " " + (++probeCounter);
    long now = System.currentTimeMillis();
    shard.probeToken = token;
    shard.probeSentAt = now;
    shard.lastProbeAt = now;
    publisher.send(Request.cmd(publishCommand).arg(shard.probeChannel).arg(token)).onComplete(sent -> {
      if (!token.equals(shard.probeToken)) {
        return;
      }
      if (sent.failed()) {
        // Redis cannot take the probe: no verdict on the subscription (the store's failures show elsewhere).
        shard.probeToken = null;
      } else if (sent.result() != null && sent.result().toLong() == 0L) {
        lost(shard.link, shard.target.name() + ": the liveness probe reached no subscriber");
      }
    });
  }

  private void onProbe(Shard shard, String token) {
    if (!token.equals(shard.probeToken)) {
      return;
    }
    shard.probeToken = null;
    if (!shard.confirmed) {
      shard.confirmed = true;
      if (shard.link.live()) {
        LOG.debug("node={} subscriptions confirmed live", node);
        if (shard.link.onLive != null) {
          shard.link.onLive.run();
        }
      }
    }
  }
}
