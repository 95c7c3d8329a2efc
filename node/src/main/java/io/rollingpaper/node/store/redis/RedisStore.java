package io.rollingpaper.node.store.redis;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollingpaper.node.store.Applied;
import io.rollingpaper.node.store.Delta;
import io.rollingpaper.node.store.Epochs;
import io.rollingpaper.node.store.OpRequest;
import io.rollingpaper.node.store.PaperHead;
import io.rollingpaper.node.store.PaperRead;
import io.rollingpaper.node.store.PaperStore;
import io.rollingpaper.node.store.ReadRequest;
import io.rollingpaper.node.store.Refusals;
import io.rollingpaper.node.store.StoreUnavailableException;
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
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Redis store: every operation is one Lua script on one paper's hash-tagged keys, so each is
 * atomic and one round trip. Commands go through the pooled client; subscriptions are the
 * {@link RedisBroker}'s own connection.
 */
public final class RedisStore implements PaperStore {
  private final Redis redis;
  private final Limits limits;
  private final Duration completedTtl;
  private final Duration presenceTtl;
  private final String publishCommand;
  private final LuaScript readScript = LuaScript.load("read");
  private final LuaScript applyScript = LuaScript.load("apply");
  private final LuaScript completeScript = LuaScript.load("complete");
  private final LuaScript deleteScript = LuaScript.load("delete");
  private final LuaScript leaveScript = LuaScript.load("leave");
  private final LuaScript tickScript = LuaScript.load("tick");

  public RedisStore(Redis redis, Limits limits, Duration completedTtl, Duration presenceTtl) {
    this.redis = redis;
    this.limits = limits;
    this.completedTtl = completedTtl;
    this.presenceTtl = presenceTtl;
    this.publishCommand = "PUBLISH";
  }

  /** Checks that Redis answers and loads every script into its cache. */
  public Future<Void> start() {
    List<Future<Void>> loads = new ArrayList<>();
    for (LuaScript script : List.of(readScript, applyScript, completeScript, deleteScript, leaveScript, tickScript)) {
      loads.add(script.preload(redis));
    }
    return unavailableOnError(Future.all(loads), "script load").mapEmpty();
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
    return run(readScript, request.paper(), args).map(reply -> toRead(request, reply));
  }

  private PaperRead toRead(ReadRequest request, Response reply) {
    String kind = reply.get(0).toString();
    if ("missing".equals(kind)) {
      return new PaperRead.Missing();
    }
    String epoch = reply.get(1).toString();
    long seq = reply.get(2).toLong();
    PaperStatus status = PaperStatus.fromWire(reply.get(3).toString());
    long presenceVersion = reply.get(4).toLong();
    List<PresenceEntry> presence = parsePresence(reply.get(5).toString());
    if ("resumed".equals(kind)) {
      List<Delta> deltas = new ArrayList<>(reply.size() - 6);
      for (int i = 6; i < reply.size(); i++) {
        deltas.add(new Delta(request.since() + i - 5, reply.get(i).toBuffer()));
      }
      return new PaperRead.Resumed(request.paper(), epoch, request.since(), seq, status, deltas, presence,
          presenceVersion);
    }
    return new PaperRead.Snapshot(snapshot(request.paper(), reply, epoch, seq, status, presence), presenceVersion);
  }

  @Override
  public Future<Applied> apply(OpRequest request) {
    Op op = request.op();
    List<String> args = baseArgs(request.paper(), Epochs.next(),
        Integer.toString(limits.maxNotesPerPaper()), Integer.toString(limits.maxNoteBytes()),
        Integer.toString(limits.historySize()), kind(op), op.noteId(), FrameCodec.quote(request.by()),
        FrameCodec.quoteOrNull(request.cid()), request.role().restrictedToOwnNotes() ? "1" : "0",
        op instanceof Op.Put ? "" : FrameCodec.opJson(op));
    if (op instanceof Op.Put put) {
      args.addAll(NoteFields.pairs(put.note()));
    } else if (op instanceof Op.Patch patch) {
      args.addAll(NoteFields.pairs(patch.fields()));
    }
    return run(applyScript, request.paper(), args).compose(reply -> {
      if ("ok".equals(reply.get(0).toString())) {
        return Future.succeededFuture(new Applied(reply.get(1).toLong(), reply.get(2).toString()));
      }
      ErrorCode code = ErrorCode.fromWire(reply.get(1).toString());
      return Future.failedFuture(Refusals.of(code, limits, op.noteId()));
    });
  }

  @Override
  public Future<PaperSnapshot> complete(String paper) {
    List<String> args = baseArgs(paper, Long.toString(Math.max(1, completedTtl.toSeconds())));
    return run(completeScript, paper, args).map(reply -> {
      if ("missing".equals(reply.get(0).toString())) {
        return null;
      }
      return snapshot(paper, reply, reply.get(1).toString(), reply.get(2).toLong(), PaperStatus.COMPLETED,
          parsePresence(reply.get(5).toString()));
    });
  }

  @Override
  public Future<Boolean> delete(String paper) {
    return run(deleteScript, paper, baseArgs(paper)).map(reply -> reply.toInteger() == 1);
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
    Future<List<Response>> replies = redis.batch(batch).recover(error -> {
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

  @Override
  public Future<Void> publish(String paper, String message) {
    Request request = Request.cmd(Command.create(publishCommand)).arg(new RedisKeys(paper).channel()).arg(message);
    return unavailableOnError(redis.send(request), "publish").mapEmpty();
  }

  @Override
  public Future<Void> ping() {
    return unavailableOnError(redis.send(Request.cmd(Command.PING)), "ping").mapEmpty();
  }

  @Override
  public Future<Void> close() {
    return redis.close();
  }

  private List<String> baseArgs(String paper, String... rest) {
    RedisKeys keys = new RedisKeys(paper);
    List<String> args = new ArrayList<>(8 + rest.length);
    args.add(FrameCodec.quote(paper));
    args.add(keys.channel());
    args.add(keys.notePrefix());
    args.add(publishCommand);
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
    List<String> notes = new ArrayList<>(Math.max(0, reply.size() - 6));
    for (int i = 6; i < reply.size(); i++) {
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
