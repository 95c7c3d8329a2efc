package io.rollingpaper.node.backend.redis;

import io.rollingpaper.node.backend.Applied;
import io.rollingpaper.node.backend.ChannelMessage;
import io.rollingpaper.node.backend.Delta;
import io.rollingpaper.node.backend.Epochs;
import io.rollingpaper.node.backend.OpRequest;
import io.rollingpaper.node.backend.PaperHead;
import io.rollingpaper.node.backend.PaperMissingException;
import io.rollingpaper.node.backend.PaperRead;
import io.rollingpaper.node.backend.PaperStore;
import io.rollingpaper.node.backend.ReadRequest;
import io.rollingpaper.node.backend.Refusals;
import io.rollingpaper.node.backend.StoreUnavailableException;
import io.rollingpaper.protocol.ErrorCode;
import io.rollingpaper.protocol.Limits;
import io.rollingpaper.protocol.PaperSnapshot;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Redis store: every operation is one function of the {@link LuaLibrary} on one paper's hash-tagged
 * keys, so each is atomic and one round trip; what each function takes and answers is spelled out once, in
 * the {@code ...Call}/{@code ...Calls} and {@code ...Reply} classes next to it. Commands go through the pooled
 * client; subscriptions are the {@link RedisBroker}'s own connections.
 *
 * <p><b>Acknowledged only once safe.</b> With {@code waitReplicas} N &gt; 0, an op's script does not
 * publish its delta: it writes it (notes, seq, history) and the same connection then runs
 * {@code WAIT N timeout} in the same round trip. Only when N replicas confirm does {@code release.lua}
 * publish it — and with it any earlier delta still held back, in seq order, since a replica that has a
 * write has every write before it. The delta carrying the sender's cid is the acknowledgement, so no
 * client, sender or not, sees an op that a failover could still lose. When fewer than N confirm in time
 * the op is answered {@code unavailable}, but it is written: it is published later, once a confirmation
 * covers it (the next confirmed op of the paper, or the read that a node's periodic head check starts),
 * or it is lost with a failover and never seen. Reads that find held-back deltas confirm them the same
 * way before answering, so a snapshot never shows what a failover could take back. The WAIT round trips
 * and the release are {@link ReplicaConfirmation}'s.
 *
 * <p><b>Redis Cluster.</b> Every script touches one paper's keys, which share a hash tag, so each runs on
 * the shard that owns the paper; deltas go out with {@code SPUBLISH} on that shard. The periodic round is
 * the exception: one call covers many papers ({@link TickCall}), all of one hash slot on a cluster.
 */
public final class RedisStore implements PaperStore {
  private final Redis redis;
  /** The connections that run a script and then WAIT, apart, so ops waiting on replicas never hold up the rest. */
  private final Redis confirming;
  private final Limits limits;
  private final ApplyCall applyCall;
  private final Duration completedTtl;
  private final Duration presenceTtl;
  private final Duration tombstoneTtl;
  private final boolean cluster;
  private final String publishCommand;
  private final PubSub pubSub;
  private final LuaLibrary library;
  private final ReplicaConfirmation replicas;

  public RedisStore(Redis redis, Limits limits, Duration completedTtl, Duration presenceTtl) {
    this(redis, redis, limits, completedTtl, presenceTtl, Duration.ofDays(30), false, 0, Duration.ofMillis(500));
  }

  /**
   * @param confirming   a client of its own for script-then-WAIT round trips (or {@code redis} when not waiting):
   *                     while replicas lag, its connections sit in WAIT and the others stay free for reads,
   *                     the periodic round, signals and readiness
   * @param cluster      Redis Cluster: sharded pub/sub, no pipelines across papers
   * @param waitReplicas acknowledge an op only once this many replicas have it (0: as soon as the master has it)
   * @param waitTimeout  how long to wait for them before answering {@code unavailable}
   */
  public RedisStore(Redis redis, Redis confirming, Limits limits, Duration completedTtl, Duration presenceTtl,
                    Duration tombstoneTtl, boolean cluster, int waitReplicas, Duration waitTimeout) {
    this.tombstoneTtl = tombstoneTtl;
    this.redis = redis;
    this.confirming = confirming;
    this.limits = limits;
    this.applyCall = new ApplyCall(limits);
    this.completedTtl = completedTtl;
    this.presenceTtl = presenceTtl;
    this.cluster = cluster;
    this.pubSub = PubSub.of(cluster);
    this.publishCommand = pubSub.publishName();
    this.library = LuaLibrary.fromClasspath(cluster);
    this.replicas = new ReplicaConfirmation(redis, confirming, library, publishCommand, waitReplicas, waitTimeout);
  }

  /** Checks that Redis answers and loads the functions library (on every master of a cluster). */
  public Future<Void> start() {
    return unavailableOnError(library.load(redis), "function load");
  }

  /** Whether ops wait for replicas before they are acknowledged. */
  public boolean waits() {
    return replicas.waits();
  }

  @Override
  public Future<PaperRead> read(ReadRequest request) {
    return run(ReadCall.of(request, presenceTtl, publishCommand)).compose(response -> {
      PaperReply reply = PaperReply.of(response);
      PaperRead read = toRead(request, reply);
      if (!waits() || read instanceof PaperRead.Missing || !reply.heldBack()) {
        return Future.succeededFuture(read);
      }
      // The read saw deltas nobody has confirmed yet: confirm (and publish) them before anyone sees them.
      return replicas.confirm(request.paper()).map(read);
    });
  }

  private static PaperRead toRead(ReadRequest request, PaperReply reply) {
    if (reply.is("missing")) {
      return new PaperRead.Missing("deleted".equals(reply.detail()));
    }
    if (reply.is("resumed")) {
      List<Delta> deltas = new ArrayList<>(reply.items().size());
      for (int i = 0; i < reply.items().size(); i++) {
        deltas.add(new Delta(request.since() + i + 1, reply.items().get(i).toBuffer()));
      }
      return new PaperRead.Resumed(request.paper(), reply.epoch(), request.since(), reply.seq(), reply.status(),
          deltas, reply.presence(), reply.presenceVersion());
    }
    return new PaperRead.Snapshot(reply.snapshot(request.paper()), reply.presenceVersion());
  }

  @Override
  public Future<Applied> apply(OpRequest request) {
    // Waiting for replicas, the script holds its delta back for the release.
    ScriptCall call = applyCall.of(request, publishCommand, waits());
    if (!waits()) {
      return run(call).compose(reply -> applied(ApplyReply.of(reply), request));
    }
    return replicas.run(call).compose(confirmed -> {
      ApplyReply reply = ApplyReply.of(confirmed.reply());
      if (!reply.applied()) {
        return applied(reply, request);
      }
      if (!replicas.enough(confirmed)) {
        return Future.failedFuture(replicas.notConfirmed("op " + reply.seq() + " of " + request.paper(),
            confirmed.replicas()));
      }
      // -1: the paper was deleted (or recreated) between the apply and its release, so its delta is never
      // published and nobody would ever acknowledge the op: it is answered as the deleted paper's ops are.
      return replicas.release(request.paper(), reply.epoch(), reply.seq()).compose(mark -> mark < 0
          ? Future.failedFuture(new PaperMissingException(request.paper(), true))
          : Future.succeededFuture(new Applied(reply.seq(), reply.epoch())));
    });
  }

  private Future<Applied> applied(ApplyReply reply, OpRequest request) {
    if (reply.applied()) {
      return Future.succeededFuture(new Applied(reply.seq(), reply.epoch()));
    }
    if (reply.gone()) {
      return Future.failedFuture(new PaperMissingException(request.paper(), reply.deleted()));
    }
    return Future.failedFuture(Refusals.of(ErrorCode.fromWire(reply.error()), limits, request.op().noteId()));
  }

  @Override
  public Future<PaperSnapshot> complete(String paper) {
    ScriptCall call = LifecycleCalls.complete(paper, completedTtl, publishCommand);
    Future<PaperReply> done = !waits() ? run(call).map(PaperReply::of)
        : replicas.run(call).compose(confirmed -> {
          PaperReply reply = PaperReply.of(confirmed.reply());
          if (reply.is("missing")) {
            return Future.succeededFuture(reply);
          }
          if (!replicas.enough(confirmed)) {
            return Future.failedFuture(replicas.notConfirmed("the completion of " + paper, confirmed.replicas()));
          }
          // The completion's write follows every delta of the paper: they are confirmed with it.
          return replicas.release(paper, reply.epoch(), reply.seq()).map(reply);
        });
    return done.map(reply -> reply.is("missing") ? null : reply.snapshot(paper));
  }

  @Override
  public Future<Boolean> delete(String paper, boolean buryAnyway) {
    ScriptCall call = LifecycleCalls.delete(paper, tombstoneTtl, buryAnyway, publishCommand);
    if (!waits()) {
      return run(call).map(reply -> reply.toInteger() == 1);
    }
    return replicas.run(call).compose(confirmed -> {
      boolean deleted = confirmed.reply().toInteger() == 1;
      if (deleted && !replicas.enough(confirmed)) {
        return Future.failedFuture(replicas.notConfirmed("the deletion of " + paper, confirmed.replicas()));
      }
      return Future.succeededFuture(deleted);
    });
  }

  @Override
  public Future<PaperSnapshot> create(String paper) {
    return replicas.runIfWaiting(LifecycleCalls.create(paper, Epochs.next(), publishCommand), "the creation of " + paper)
        .map(PaperReply::of).map(reply -> reply.is("exists") ? null : reply.snapshot(paper));
  }

  @Override
  public Future<Boolean> restore(PaperSnapshot archived) {
    return replicas.runIfWaiting(LifecycleCalls.restore(archived, publishCommand), "the return of " + archived.paper())
        .map(reply -> reply.toInteger() == 1);
  }

  @Override
  public Future<PaperSnapshot> claimIdle(String paper, String node, long idleMs, long leaseMs) {
    return run(LifecycleCalls.claim(paper, node, idleMs, leaseMs, publishCommand)).map(PaperReply::of)
        .map(reply -> reply.is("busy") ? null : reply.snapshot(paper));
  }

  @Override
  public Future<Boolean> evict(String paper, String node, String epoch, long seq) {
    return replicas.runIfWaiting(LifecycleCalls.evict(paper, node, epoch, seq, publishCommand), "the move of " + paper)
        .map(reply -> reply.toInteger() == 1);
  }

  @Override
  public Future<Void> markActive(Collection<String> papers) {
    if (papers.isEmpty()) {
      return Future.succeededFuture();
    }
    Request zadd = Request.cmd(Command.ZADD).arg(RedisKeys.ACTIVE);
    String now = Long.toString(System.currentTimeMillis());
    papers.forEach(paper -> zadd.arg(now).arg(paper));
    return unavailableOnError(redis.send(zadd), "activity").mapEmpty();
  }

  @Override
  public Future<List<String>> idleCandidates(long idleMs, int max) {
    Request range = Request.cmd(Command.ZRANGEBYSCORE).arg(RedisKeys.ACTIVE).arg("-inf")
        .arg(Long.toString(System.currentTimeMillis() - idleMs)).arg("LIMIT").arg(0).arg(max);
    return unavailableOnError(redis.send(range), "idle candidates").map(reply -> {
      List<String> out = new ArrayList<>(reply.size());
      reply.forEach(item -> out.add(item.toString()));
      return out;
    });
  }

  @Override
  public Future<Void> forgetActive(String paper) {
    return unavailableOnError(redis.send(Request.cmd(Command.ZREM).arg(RedisKeys.ACTIVE).arg(paper)), "activity")
        .mapEmpty();
  }

  @Override
  public Future<Void> leave(String paper, String user, String node) {
    return run(PresenceCalls.leave(paper, user, node, publishCommand)).mapEmpty();
  }

  @Override
  public Future<Map<String, PaperHead>> tick(String node, Map<String, Map<String, String>> namesByUserByPaper) {
    if (namesByUserByPaper.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    List<TickCall> calls = TickCall.round(node, presenceTtl, namesByUserByPaper, publishCommand, cluster);
    // A pipeline must stay on one shard of a cluster: there, each slot's call is its own request.
    Future<List<Response>> replies;
    if (cluster) {
      List<Future<Response>> each = new ArrayList<>(calls.size());
      calls.forEach(call -> each.add(library.send(redis, () -> request(call))));
      replies = Future.all(each).map(all -> all.<Response>list());
    } else {
      replies = library.batch(redis, () -> calls.stream().map(this::request).toList());
    }
    return unavailableOnError(replies, "tick").map(list -> {
      Map<String, PaperHead> heads = new HashMap<>();
      for (int i = 0; i < calls.size(); i++) {
        calls.get(i).readHeads(list.get(i), heads);
      }
      return heads;
    });
  }

  private Request request(TickCall call) {
    return library.request("tick", call.keys(), call.args());
  }

  @Override
  public Future<Void> signal(String paper, ChannelMessage.Signal signal) {
    // The only message published from Java; the others are published by the scripts that make the change.
    Request request = Request.cmd(pubSub.publish()).arg(RedisKeys.channelOf(paper)).arg(signal.encode());
    return unavailableOnError(redis.send(request), "publish").mapEmpty();
  }

  @Override
  public Future<Void> ping() {
    return unavailableOnError(redis.send(Request.cmd(Command.PING)), "ping").mapEmpty();
  }

  @Override
  public Future<Void> close() {
    return confirming == redis ? redis.close() : confirming.close().eventually(redis::close);
  }

  private Future<Response> run(ScriptCall call) {
    return unavailableOnError(library.call(redis, call), call.script());
  }

  static <T> Future<T> unavailableOnError(Future<T> future, String what) {
    return future.recover(error -> Future.failedFuture(
        new StoreUnavailableException("Redis " + what + " failed: " + error.getMessage(), error)));
  }
}
