package io.rollingpaper.node.backend.redis;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollingpaper.node.backend.Applied;
import io.rollingpaper.node.backend.ChannelMessage;
import io.rollingpaper.node.backend.Delta;
import io.rollingpaper.node.backend.Epochs;
import io.rollingpaper.node.backend.OpRequest;
import io.rollingpaper.node.backend.PaperHead;
import io.rollingpaper.node.backend.PaperMissingException;
import io.rollingpaper.node.backend.StoredNote;
import io.rollingpaper.node.backend.PaperRead;
import io.rollingpaper.node.backend.PaperStore;
import io.rollingpaper.node.backend.ReadRequest;
import io.rollingpaper.node.backend.Refusals;
import io.rollingpaper.node.backend.StoreUnavailableException;
import io.rollingpaper.protocol.ErrorCode;
import io.rollingpaper.protocol.FrameCodec;
import io.rollingpaper.protocol.Limits;
import io.rollingpaper.protocol.NoteFields;
import io.rollingpaper.protocol.Op;
import io.rollingpaper.protocol.PaperSnapshot;
import io.rollingpaper.protocol.PaperStatus;
import io.rollingpaper.protocol.PresenceEntry;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisCluster;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Redis store: every operation is one Lua script on one paper's hash-tagged keys, so each is
 * atomic and one round trip. Commands go through the pooled client; subscriptions are the
 * {@link RedisBroker}'s own connections.
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
 * way before answering, so a snapshot never shows what a failover could take back.
 *
 * <p><b>Redis Cluster.</b> Every script touches one paper's keys, which share a hash tag, so each runs on
 * the shard that owns the paper; deltas go out with {@code SPUBLISH} on that shard.
 */
public final class RedisStore implements PaperStore {
  /** In read and snapshot replies, the index of the first delta or note (after kind, epoch, seq, status, pv, presence, pub). */
  private static final int FIRST_ITEM = 7;
  private final Redis redis;
  /** The connections that run a script and then WAIT, apart, so ops waiting on replicas never hold up the rest. */
  private final Redis confirming;
  private final Limits limits;
  private final Duration completedTtl;
  private final Duration presenceTtl;
  private final Duration tombstoneTtl;
  private final boolean cluster;
  private final int waitReplicas;
  private final long waitTimeoutMs;
  private final String publishCommand;
  private final PubSub pubSub;
  private final LuaScript readScript = LuaScript.load("read");
  /** read.lua for reads that create nothing and mark nobody present: it runs while Redis is out of memory. */
  private final LuaScript snapshotScript = LuaScript.loadReadOnly("read");
  private final LuaScript applyScript = LuaScript.load("apply");
  private final LuaScript completeScript = LuaScript.load("complete");
  private final LuaScript deleteScript = LuaScript.load("delete");
  private final LuaScript leaveScript = LuaScript.load("leave");
  private final LuaScript tickScript = LuaScript.load("tick");
  private final LuaScript releaseScript = LuaScript.load("release");
  private final LuaScript touchScript = LuaScript.load("touch");
  private final LuaScript createScript = LuaScript.load("create");
  private final LuaScript restoreScript = LuaScript.load("restore");
  private final LuaScript claimScript = LuaScript.load("claim");
  private final LuaScript evictScript = LuaScript.load("evict");

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
    this.completedTtl = completedTtl;
    this.presenceTtl = presenceTtl;
    this.cluster = cluster;
    this.waitReplicas = waitReplicas;
    this.waitTimeoutMs = Math.max(1, waitTimeout.toMillis());
    this.pubSub = PubSub.of(cluster);
    this.publishCommand = pubSub.publishName();
  }

  /** Checks that Redis answers and loads every script into its cache (on every master of a cluster). */
  public Future<Void> start() {
    List<Future<?>> loads = new ArrayList<>();
    for (LuaScript script : List.of(readScript, snapshotScript, applyScript, completeScript, deleteScript, leaveScript,
        tickScript, releaseScript, touchScript, createScript, restoreScript, claimScript, evictScript)) {
      if (cluster) {
        loads.add(RedisCluster.create(redis).onAllMasterNodes(
            Request.cmd(Command.SCRIPT).arg("LOAD").arg(script.source())));
      } else {
        loads.add(script.preload(redis));
      }
    }
    return unavailableOnError(Future.all(loads), "script load").mapEmpty();
  }

  /** Whether ops wait for replicas before they are acknowledged. */
  public boolean waits() {
    return waitReplicas > 0;
  }

  @Override
  public Future<PaperRead> read(ReadRequest request) {
    ReadRequest.PresenceJoin join = request.presence();
    List<String> args = baseArgs(request.paper(),
        request.create() ? "1" : "0", Epochs.next(),
        request.since() == null ? "" : Long.toString(request.since()),
        request.epoch() == null ? "" : request.epoch(),
        join == null ? "" : join.user(), join == null ? "" : join.name(), join == null ? "" : join.node(),
        Long.toString(presenceTtl.toMillis()));
    for (ReadRequest.PresenceJoin also : request.alsoPresent()) {
      args.add(also.user());
      args.add(also.name());
      args.add(also.node());
    }
    boolean writes = request.create() || !request.presences().isEmpty();
    return run(writes ? readScript : snapshotScript, request.paper(), args).compose(reply -> {
      PaperRead read = toRead(request, reply);
      if (!waits() || read instanceof PaperRead.Missing || reply.get(6).toLong() >= reply.get(2).toLong()) {
        return Future.succeededFuture(read);
      }
      // The read saw deltas nobody has confirmed yet: confirm (and publish) them before anyone sees them.
      return confirm(request.paper()).map(read);
    });
  }

  private PaperRead toRead(ReadRequest request, Response reply) {
    String kind = reply.get(0).toString();
    if ("missing".equals(kind)) {
      return new PaperRead.Missing("deleted".equals(reply.get(1).toString()));
    }
    String epoch = reply.get(1).toString();
    long seq = reply.get(2).toLong();
    PaperStatus status = PaperStatus.fromWire(reply.get(3).toString());
    long presenceVersion = reply.get(4).toLong();
    List<PresenceEntry> presence = parsePresence(reply.get(5).toString());
    if ("resumed".equals(kind)) {
      List<Delta> deltas = new ArrayList<>(reply.size() - FIRST_ITEM);
      for (int i = FIRST_ITEM; i < reply.size(); i++) {
        deltas.add(new Delta(request.since() + i - FIRST_ITEM + 1, reply.get(i).toBuffer()));
      }
      return new PaperRead.Resumed(request.paper(), epoch, request.since(), seq, status, deltas, presence,
          presenceVersion);
    }
    return new PaperRead.Snapshot(snapshot(request.paper(), reply, epoch, seq, status, presence), presenceVersion);
  }

  @Override
  public Future<Applied> apply(OpRequest request) {
    Op op = request.op();
    // Waiting for replicas, the script holds its delta back for release() (the '-' asks it to).
    List<String> args = argsWith(request.paper(), waits() ? "-" + publishCommand : publishCommand,
        request.create() ? Epochs.next() : "",
        Integer.toString(limits.maxNotesPerPaper()), Integer.toString(limits.maxNoteBytes()),
        Integer.toString(limits.historySize()), kind(op), op.noteId(), FrameCodec.quote(request.by()),
        FrameCodec.quoteOrNull(request.cid()), request.role().restrictedToOwnNotes() ? "1" : "0",
        op instanceof Op.Put ? "" : FrameCodec.opJson(op), Integer.toString(limits.maxNoteFields()));
    if (op instanceof Op.Put put) {
      args.addAll(NoteFields.pairs(put.note()));
    } else if (op instanceof Op.Patch patch) {
      args.addAll(NoteFields.pairs(patch.fields()));
    }
    if (!waits()) {
      return run(applyScript, request.paper(), args).compose(reply -> applied(reply, request));
    }
    return runConfirmed(applyScript, request.paper(), args).compose(confirmed -> {
      Response reply = confirmed.reply();
      if (!"ok".equals(reply.get(0).toString())) {
        return applied(reply, request);
      }
      long seq = reply.get(1).toLong();
      String epoch = reply.get(2).toString();
      if (confirmed.replicas() < waitReplicas) {
        return Future.failedFuture(notConfirmed("op " + seq + " of " + request.paper(), confirmed.replicas()));
      }
      // -1: the paper was deleted (or recreated) between the apply and its release, so its delta is never
      // published and nobody would ever acknowledge the op: it is answered as the deleted paper's ops are.
      return release(request.paper(), epoch, seq).compose(mark -> mark < 0
          ? Future.failedFuture(new PaperMissingException(request.paper(), true))
          : Future.succeededFuture(new Applied(seq, epoch)));
    });
  }

  private Future<Applied> applied(Response reply, OpRequest request) {
    if ("ok".equals(reply.get(0).toString())) {
      return Future.succeededFuture(new Applied(reply.get(1).toLong(), reply.get(2).toString()));
    }
    if ("gone".equals(reply.get(1).toString())) {
      return Future.failedFuture(new PaperMissingException(request.paper(), "deleted".equals(reply.get(2).toString())));
    }
    ErrorCode code = ErrorCode.fromWire(reply.get(1).toString());
    return Future.failedFuture(Refusals.of(code, limits, request.op().noteId()));
  }

  @Override
  public Future<PaperSnapshot> complete(String paper) {
    List<String> args = baseArgs(paper, Long.toString(Math.max(1, completedTtl.toSeconds())));
    Future<Response> done = !waits() ? run(completeScript, paper, args)
        : runConfirmed(completeScript, paper, args).compose(confirmed -> {
          Response reply = confirmed.reply();
          if ("missing".equals(reply.get(0).toString())) {
            return Future.succeededFuture(reply);
          }
          if (confirmed.replicas() < waitReplicas) {
            return Future.failedFuture(notConfirmed("the completion of " + paper, confirmed.replicas()));
          }
          // The completion's write follows every delta of the paper: they are confirmed with it.
          return release(paper, reply.get(1).toString(), reply.get(2).toLong()).map(reply);
        });
    return done.map(reply -> {
      if ("missing".equals(reply.get(0).toString())) {
        return null;
      }
      return snapshot(paper, reply, reply.get(1).toString(), reply.get(2).toLong(), PaperStatus.COMPLETED,
          parsePresence(reply.get(5).toString()));
    });
  }

  @Override
  public Future<Boolean> delete(String paper, boolean buryAnyway) {
    List<String> args = baseArgs(paper, Long.toString(Math.max(1, tombstoneTtl.toMillis())), buryAnyway ? "1" : "0");
    if (!waits()) {
      return run(deleteScript, paper, args).map(reply -> reply.toInteger() == 1);
    }
    return runConfirmed(deleteScript, paper, args).compose(confirmed -> {
      if (confirmed.reply().toInteger() == 1 && confirmed.replicas() < waitReplicas) {
        return Future.failedFuture(notConfirmed("the deletion of " + paper, confirmed.replicas()));
      }
      return Future.succeededFuture(confirmed.reply().toInteger() == 1);
    });
  }

  @Override
  public Future<PaperSnapshot> create(String paper) {
    String epoch = Epochs.next();
    return confirmedIfWaiting(createScript, paper, baseArgs(paper, epoch), "the creation of " + paper).map(reply ->
        "exists".equals(reply.get(0).toString()) ? null
            : snapshot(paper, reply, epoch, 0, PaperStatus.OPEN, List.of()));
  }

  @Override
  public Future<Boolean> restore(PaperSnapshot archived) {
    List<String> args = baseArgs(archived.paper(), archived.epoch(), Long.toString(archived.seq()));
    for (String noteJson : archived.notesJson()) {
      StoredNote note = StoredNote.parse(noteJson);
      args.add(note.id());
      args.add(Integer.toString(note.bytes()));
      args.add(Integer.toString(note.pairs().size()));
      args.addAll(note.pairs());
    }
    return confirmedIfWaiting(restoreScript, archived.paper(), args, "the return of " + archived.paper())
        .map(reply -> reply.toInteger() == 1);
  }

  @Override
  public Future<PaperSnapshot> claimIdle(String paper, String node, long idleMs, long leaseMs) {
    return run(claimScript, paper, baseArgs(paper, node, Long.toString(idleMs), Long.toString(leaseMs))).map(reply ->
        "busy".equals(reply.get(0).toString()) ? null
            : snapshot(paper, reply, reply.get(1).toString(), reply.get(2).toLong(), PaperStatus.OPEN, List.of()));
  }

  @Override
  public Future<Boolean> evict(String paper, String node, String epoch, long seq) {
    return confirmedIfWaiting(evictScript, paper, baseArgs(paper, node, epoch, Long.toString(seq)),
        "the move of " + paper).map(reply -> reply.toInteger() == 1);
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

  /** A write that must not be acknowledged before replicas have it, when ops wait for replicas. */
  private Future<Response> confirmedIfWaiting(LuaScript script, String paper, List<String> args, String what) {
    if (!waits()) {
      return run(script, paper, args);
    }
    return runConfirmed(script, paper, args).compose(confirmed -> confirmed.replicas() < waitReplicas
        ? Future.failedFuture(notConfirmed(what, confirmed.replicas()))
        : Future.succeededFuture(confirmed.reply()));
  }

  @Override
  public Future<Void> leave(String paper, String user, String node) {
    return run(leaveScript, paper, baseArgs(paper, user, node)).mapEmpty();
  }

  @Override
  public Future<Map<String, PaperHead>> tick(String node, Map<String, Map<String, String>> namesByUserByPaper) {
    if (namesByUserByPaper.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    List<String> papers = new ArrayList<>(namesByUserByPaper.keySet());
    List<List<String>> argsByPaper = new ArrayList<>(papers.size());
    List<Request> batch = new ArrayList<>(papers.size());
    for (String paper : papers) {
      List<String> args = baseArgs(paper, node, Long.toString(presenceTtl.toMillis()));
      namesByUserByPaper.get(paper).forEach((user, name) -> {
        args.add(user);
        args.add(name);
      });
      argsByPaper.add(args);
      batch.add(tickScript.request(new RedisKeys(paper).scriptKeys(), args));
    }
    // A pipeline must stay on one shard of a cluster: there, each paper's round is its own request.
    Future<List<Response>> replies = cluster ? oneByOne(papers, argsByPaper) : redis.batch(batch).recover(error -> {
      if (!LuaScript.isNoScript(error)) {
        return Future.failedFuture(error);
      }
      List<Future<Response>> oneByOne = new ArrayList<>();
      for (int i = 0; i < papers.size(); i++) {
        oneByOne.add(tickScript.call(redis, new RedisKeys(papers.get(i)).scriptKeys(), argsByPaper.get(i)));
      }
      return Future.all(oneByOne).map(all -> all.<Response>list());
    });
    return unavailableOnError(replies, "tick").map(list -> {
      Map<String, PaperHead> heads = new HashMap<>();
      for (int i = 0; i < papers.size(); i++) {
        Response reply = list.get(i);
        if ("head".equals(reply.get(0).toString())) {
          heads.put(papers.get(i), new PaperHead(reply.get(1).toString(), reply.get(2).toLong(),
              PaperStatus.fromWire(reply.get(3).toString())));
        }
      }
      return heads;
    });
  }

  private Future<List<Response>> oneByOne(List<String> papers, List<List<String>> argsByPaper) {
    List<Future<Response>> each = new ArrayList<>();
    for (int i = 0; i < papers.size(); i++) {
      each.add(tickScript.call(redis, new RedisKeys(papers.get(i)).scriptKeys(), argsByPaper.get(i)));
    }
    return Future.all(each).map(all -> all.<Response>list());
  }

  @Override
  public Future<Void> signal(String paper, ChannelMessage.Signal signal) {
    // The only message published from Java; the others are published by the scripts that make the change.
    Request request = Request.cmd(pubSub.publish()).arg(RedisKeys.channelOf(paper)).arg(signal.encode());
    return unavailableOnError(redis.send(request), "publish").mapEmpty();
  }

  // ---- acknowledged only once safe ----------------------------------------------------------

  /** A script's reply and how many replicas WAIT found holding its writes. */
  private record Confirmed(Response reply, long replicas) {
  }

  /** Runs a script, then WAIT on the same connection in the same round trip. */
  private Future<Confirmed> runConfirmed(LuaScript script, String paper, List<String> args) {
    Future<List<Response>> both = script.callThen(confirming, new RedisKeys(paper).scriptKeys(), args,
        () -> Request.cmd(Command.WAIT).arg(waitReplicas).arg(waitTimeoutMs));
    return unavailableOnError(both, script.name()).map(replies -> new Confirmed(replies.get(0), replies.get(1).toLong()));
  }

  /** Publishes the paper's held-back deltas up to {@code seq}, which a WAIT has just confirmed. */
  private Future<Long> release(String paper, String epoch, long seq) {
    return run(releaseScript, paper, baseArgs(paper, epoch, Long.toString(seq))).map(Response::toLong);
  }

  /**
   * Confirms and publishes every delta the paper holds: a write after all of them, WAIT on its connection,
   * then the release. Fails {@code unavailable} while too few replicas answer.
   */
  private Future<Void> confirm(String paper) {
    return runConfirmed(touchScript, paper, baseArgs(paper)).compose(confirmed -> {
      Response reply = confirmed.reply();
      if ("missing".equals(reply.get(0).toString())) {
        return Future.succeededFuture();
      }
      if (confirmed.replicas() < waitReplicas) {
        return Future.failedFuture(notConfirmed("the latest ops of " + paper, confirmed.replicas()));
      }
      return release(paper, reply.get(1).toString(), reply.get(2).toLong()).mapEmpty();
    });
  }

  private StoreUnavailableException notConfirmed(String what, long replicas) {
    return new StoreUnavailableException("Redis WAIT: " + what + " reached " + replicas + " of " + waitReplicas
        + " replicas within " + waitTimeoutMs + " ms; it is written, and is published once a confirmation covers it",
        null);
  }

  @Override
  public Future<Void> ping() {
    return unavailableOnError(redis.send(Request.cmd(Command.PING)), "ping").mapEmpty();
  }

  @Override
  public Future<Void> close() {
    return confirming == redis ? redis.close() : confirming.close().eventually(redis::close);
  }

  private List<String> baseArgs(String paper, String... rest) {
    return argsWith(paper, publishCommand, rest);
  }

  private List<String> argsWith(String paper, String publishArg, String... rest) {
    RedisKeys keys = new RedisKeys(paper);
    List<String> args = new ArrayList<>(8 + rest.length);
    args.add(FrameCodec.quote(paper));
    args.add(keys.channel());
    args.add(keys.notePrefix());
    args.add(publishArg);
    args.addAll(List.of(rest));
    return args;
  }

  private Future<Response> run(LuaScript script, String paper, List<String> args) {
    return unavailableOnError(script.call(redis, new RedisKeys(paper).scriptKeys(), args), script.name());
  }

  private static <T> Future<T> unavailableOnError(Future<T> future, String what) {
    return future.recover(error -> Future.failedFuture(
        new StoreUnavailableException("Redis " + what + " failed: " + error.getMessage(), error)));
  }

  private static PaperSnapshot snapshot(String paper, Response reply, String epoch, long seq, PaperStatus status,
                                        List<PresenceEntry> presence) {
    List<String> notes = new ArrayList<>(Math.max(0, reply.size() - FIRST_ITEM));
    for (int i = FIRST_ITEM; i < reply.size(); i++) {
      notes.add(reply.get(i).toString());
    }
    return new PaperSnapshot(paper, epoch, seq, status, notes, presence);
  }

  private static List<PresenceEntry> parsePresence(String json) {
    List<PresenceEntry> out = new ArrayList<>();
    for (JsonNode entry : FrameCodec.parse(json)) {
      out.add(new PresenceEntry(entry.get("user").asText(), entry.get("name").asText()));
    }
    return out;
  }

  private static String kind(Op op) {
    if (op instanceof Op.Put) {
      return Op.PUT;
    }
    return op instanceof Op.Patch ? Op.PATCH : Op.DELETE;
  }
}
