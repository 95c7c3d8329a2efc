package io.rollingpaper.node.ha;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * A protocol client for the fault tests that keeps the board as a client would (a snapshot, then every
 * delta applied in order), notes every break of the delivery promise (a seq that jumps or repeats), and
 * can write: one op after another, each a put of a new note named by its cid, with the outcome of each
 * (acknowledged by its delta, refused with a code, or never answered).
 */
final class FaultClient {
  private static final long SILENT_AFTER_MS = 15_000;

  /** What became of one op. */
  static final class Outcome {
    final long sentAt = System.currentTimeMillis();
    final long sentNanos = System.nanoTime();
    long ackNanos;
    long ackAt = -1;
    long ackSeq = -1;
    String error;
    boolean silent;
  }

  private final Vertx vertx;
  private final String name;
  private final WebSocketClient client;
  private WebSocket socket;
  private final Promise<Void> first = Promise.promise();
  private final Promise<Short> closed = Promise.promise();
  private String epoch;
  private long seq = -1;
  private final Map<String, JsonObject> notes = new HashMap<>();
  private int snapshots;
  private long deltas;
  private final List<String> violations = new ArrayList<>();
  private final Map<String, Outcome> outcomes = new LinkedHashMap<>();
  private final Set<String> lateAcks = new HashSet<>();
  private final List<SeqWaiter> seqWaiters = new ArrayList<>();
  private String currentCid;
  private Promise<Void> currentOp;
  private long lastDeltaAt;
  private long longestStallMs;

  private record SeqWaiter(long seq, Promise<Void> promise) {
  }

  private FaultClient(Vertx vertx, String name) {
    this.vertx = vertx;
    this.name = name;
    this.client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(64 * 1024 * 1024).setMaxMessageSize(256 * 1024 * 1024));
  }

  /** Joins the paper on the node at {@code port}; succeeds with the first frame handled. */
  static Future<FaultClient> join(Vertx vertx, int port, String paper, String user) {
    FaultClient fault = new FaultClient(vertx, user + "@" + port);
    // The handlers go on before the connect: see TestClient's constructor (a frame read before a late handler is dropped).
    ClientWebSocket ws = fault.client.webSocket();
    fault.socket = ws;
    ws.textMessageHandler(text -> fault.onFrame(new JsonObject(text)));
    ws.closeHandler(ignored -> fault.onClose(ws.closeStatusCode()));
    return ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
            .setURI("/ws/" + paper + "?user=" + user))
        .compose(connected -> fault.first.future())
        .map(fault);
  }

  String name() {
    return name;
  }

  // ---- receiving ------------------------------------------------------------------------------

  private void onFrame(JsonObject frame) {
    List<Runnable> after = new ArrayList<>();
    synchronized (this) {
      switch (frame.getString("type", "")) {
        case "snapshot" -> {
          snapshots++;
          epoch = frame.getString("epoch");
          seq = frame.getLong("seq");
          notes.clear();
          for (Object note : frame.getJsonArray("notes")) {
            JsonObject n = (JsonObject) note;
            notes.put(n.getString("id"), n);
          }
          after.add(first::tryComplete);
        }
        case "resumed" -> {
          epoch = frame.getString("epoch");
          seq = frame.getLong("from");
          after.add(first::tryComplete);
        }
        case "delta" -> onDelta(frame, after);
        case "error" -> onError(frame, after);
        default -> {
        }
      }
      for (Iterator<SeqWaiter> it = seqWaiters.iterator(); it.hasNext(); ) {
        SeqWaiter waiter = it.next();
        if (seq >= waiter.seq) {
          it.remove();
          after.add(waiter.promise::tryComplete);
        }
      }
    }
    after.forEach(Runnable::run);
  }

  private void onDelta(JsonObject frame, List<Runnable> after) {
    long s = frame.getLong("seq");
    deltas++;
    long now = System.currentTimeMillis();
    if (lastDeltaAt > 0) {
      longestStallMs = Math.max(longestStallMs, now - lastDeltaAt);
    }
    lastDeltaAt = now;
    if (s <= seq) {
      violations.add(name + ": seq " + s + " again (had " + seq + ")");
      return;
    }
    if (s != seq + 1) {
      violations.add(name + ": seq jumped from " + seq + " to " + s);
    }
    seq = s;
    JsonObject op = frame.getJsonObject("op");
    switch (op.getString("kind")) {
      case "note.put" -> notes.put(op.getJsonObject("note").getString("id"), op.getJsonObject("note"));
      case "note.patch" -> {
        JsonObject note = notes.get(op.getString("id"));
        if (note != null) {
          JsonObject fields = op.getJsonObject("fields");
          fields.forEach(e -> {
            if (e.getValue() == null) {
              note.remove(e.getKey());
            } else {
              note.put(e.getKey(), e.getValue());
            }
          });
        }
      }
      case "note.delete" -> notes.remove(op.getString("id"));
      default -> violations.add(name + ": unknown op " + op);
    }
    String cid = frame.getString("cid");
    Outcome outcome = cid == null ? null : outcomes.get(cid);
    if (outcome != null && outcome.ackAt < 0) {
      outcome.ackAt = System.currentTimeMillis();
      outcome.ackNanos = System.nanoTime();
      outcome.ackSeq = s;
      if (outcome.error != null) {
        lateAcks.add(cid);
      }
      if (cid.equals(currentCid)) {
        Promise<Void> op1 = currentOp;
        after.add(op1::tryComplete);
      }
    }
  }

  private void onError(JsonObject frame, List<Runnable> after) {
    String cid = frame.getString("cid");
    Outcome outcome = cid == null ? null : outcomes.get(cid);
    if (outcome == null) {
      violations.add(name + ": error without an op of ours: " + frame.encode());
      return;
    }
    if (outcome.ackAt < 0 && outcome.error == null) {
      outcome.error = frame.getString("code");
    }
    if (cid.equals(currentCid)) {
      Promise<Void> op = currentOp;
      after.add(op::tryComplete);
    }
  }

  private void onClose(short code) {
    synchronized (this) {
      violations.add(name + ": socket closed with " + code);
    }
    closed.tryComplete(code);
    first.tryFail("closed with " + code);
    Promise<Void> op = currentOp;
    if (op != null) {
      op.tryFail("closed");
    }
  }

  // ---- writing --------------------------------------------------------------------------------

  /**
   * Writes one put after another (the next once the previous is answered, and {@code pauseMs} later)
   * until {@code stop} says so; succeeds then with the ops all answered, fails if the socket closes.
   */
  Future<Void> write(String prefix, BooleanSupplier stop, long pauseMs) {
    Promise<Void> done = Promise.promise();
    next(prefix, 0, stop, pauseMs, done);
    return done.future();
  }

  private void next(String prefix, int n, BooleanSupplier stop, long pauseMs, Promise<Void> done) {
    if (stop.getAsBoolean()) {
      done.tryComplete();
      return;
    }
    String cid = prefix + "-" + n;
    Promise<Void> answered = Promise.promise();
    synchronized (this) {
      outcomes.put(cid, new Outcome());
      currentCid = cid;
      currentOp = answered;
    }
    JsonObject op = new JsonObject().put("kind", "note.put")
        .put("note", new JsonObject().put("id", cid).put("by", prefix).put("n", n));
    socket.writeTextMessage(new JsonObject().put("type", "op").put("cid", cid).put("op", op).encode());
    long watchdog = vertx.setTimer(SILENT_AFTER_MS, t -> {
      synchronized (this) {
        outcomes.get(cid).silent = true;
        violations.add(name + ": op " + cid + " got no answer in " + SILENT_AFTER_MS + " ms");
      }
      answered.tryComplete();
    });
    answered.future().onComplete(result -> {
      vertx.cancelTimer(watchdog);
      if (result.failed()) {
        done.tryFail(result.cause());
      } else if (pauseMs > 0) {
        vertx.setTimer(pauseMs, t -> next(prefix, n + 1, stop, pauseMs, done));
      } else {
        vertx.runOnContext(v -> next(prefix, n + 1, stop, pauseMs, done));
      }
    });
  }

  // ---- what the test reads --------------------------------------------------------------------

  /** Succeeds once this client has applied {@code target} (or more). */
  synchronized Future<Void> reach(long target) {
    if (seq >= target) {
      return Future.succeededFuture();
    }
    Promise<Void> promise = Promise.promise();
    seqWaiters.add(new SeqWaiter(target, promise));
    return promise.future();
  }

  synchronized long seq() {
    return seq;
  }

  synchronized String epoch() {
    return epoch;
  }

  synchronized Map<String, JsonObject> notes() {
    return Map.copyOf(notes);
  }

  /** The longest time between two deltas arriving (while ops were flowing, the longest delivery stall). */
  synchronized long longestStallMs() {
    return longestStallMs;
  }

  synchronized int snapshots() {
    return snapshots;
  }

  synchronized List<String> violations() {
    return List.copyOf(violations);
  }

  synchronized int attempted() {
    return outcomes.size();
  }

  /** Ops acknowledged by their delta (whenever it came). */
  synchronized List<String> acknowledged() {
    return outcomes.entrySet().stream().filter(e -> e.getValue().ackAt >= 0).map(Map.Entry::getKey).toList();
  }

  /** How long each acknowledged op took, from sending to its delta (µs), in sending order. */
  synchronized List<Long> latenciesMicros() {
    return outcomes.values().stream().filter(o -> o.ackAt >= 0).map(o -> (o.ackNanos - o.sentNanos) / 1000).toList();
  }

  /** Sends one op (cid {@code PREFIX-0}); succeeds once it is answered. */
  Future<Void> one(String prefix) {
    java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
    return write(prefix, () -> sent.getAndIncrement() >= 1, 0);
  }

  /** The outcome of one op (null if it was never sent). */
  synchronized Outcome outcome(String cid) {
    return outcomes.get(cid);
  }

  /** The ops that were answered with an error (acknowledged later or not), as cid=code. */
  synchronized List<String> errors() {
    return outcomes.entrySet().stream().filter(e -> e.getValue().error != null)
        .map(e -> e.getKey() + "=" + e.getValue().error + (e.getValue().ackAt >= 0 ? "(then acked)" : "")).toList();
  }

  /** Ops refused with {@code code} and never acknowledged afterwards. */
  synchronized long refused(String code) {
    return outcomes.values().stream().filter(o -> o.ackAt < 0 && code.equals(o.error)).count();
  }

  /** Ops answered {@code unavailable} whose delta came later all the same (applied after all). */
  synchronized int lateAcks() {
    return lateAcks.size();
  }

  synchronized long silent() {
    return outcomes.values().stream().filter(o -> o.silent).count();
  }

  /** When the first op sent at or after {@code since} (ms) was acknowledged, or -1. */
  synchronized long firstAckSentAfter(long since) {
    return outcomes.values().stream().filter(o -> o.sentAt >= since && o.ackAt >= 0)
        .mapToLong(o -> o.ackAt).min().orElse(-1);
  }

  /** The last acknowledgement received before {@code before} (ms), or -1. */
  synchronized long lastAckBefore(long before) {
    return outcomes.values().stream().filter(o -> o.ackAt >= 0 && o.ackAt < before)
        .mapToLong(o -> o.ackAt).max().orElse(-1);
  }

  /** Whether the board equals the snapshot's notes. */
  synchronized boolean matches(JsonObject snapshot) {
    JsonArray expected = snapshot.getJsonArray("notes");
    if (expected.size() != notes.size() || seq != snapshot.getLong("seq")) {
      return false;
    }
    for (Object note : expected) {
      JsonObject n = (JsonObject) note;
      if (!n.equals(notes.get(n.getString("id")))) {
        return false;
      }
    }
    return true;
  }

  Future<Short> closed() {
    return closed.future();
  }

  Future<Void> close() {
    return socket.close().eventually(client::close);
  }
}
