package io.rollingpaper.clustertest;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * A protocol client that writes continuously through the balancer and checks what it receives.
 *
 * <p>It owns a few notes and changes them one op at a time (a {@code note.put} of the whole note or a
 * {@code note.patch} of absolute values, so applying an op twice leaves the same note), every op with
 * a unique cid, every 20-50 ms. It keeps the paper's notes by applying the snapshot and every delta,
 * and checks that within one connection the deltas' seqs are contiguous (no gap, no duplicate).
 *
 * <p>An op counts as accepted when its delta (carrying its cid: the ack) arrives. When the connection
 * closes for any reason but its own, it reconnects through the balancer at once with
 * {@code since}/{@code epoch}, and records whether the first frame was {@code resumed} or
 * {@code snapshot} and how long the reconnect took (close to first frame). Ops sent but not acked when
 * a connection closed are sent again, in their order, once the new connection has delivered the missed
 * deltas (those whose ack was among them are not).
 *
 * <p>Everything runs on the client's own Vert.x context; the test reads it through {@link #call}.
 */
final class WritingClient {
  private static final long RECONNECT_RETRY_MS = 100;
  private static final long RECONNECT_GIVE_UP_MS = 30_000;
  private static final int MAX_UNACKED = 64;

  /** One op as the client sent it. */
  static final class SentOp {
    final String cid;
    final String noteId;
    final int version;
    final JsonObject op;
    int sends = 1;
    int acks;
    long ackSeq = -1;

    SentOp(String cid, String noteId, int version, JsonObject op) {
      this.cid = cid;
      this.noteId = noteId;
      this.version = version;
      this.op = op;
    }
  }

  /** One reconnect: why the connection closed, how the new one started, how long it took. */
  record Reconnect(int closeCode, String firstFrame, long millis, long upgradeMillis, int failedAttempts, long since) {
  }

  private final Vertx vertx;
  private final Context context;
  private final String name;
  private final String paper;
  private final int balancerPort;
  private final List<String> noteIds = new ArrayList<>();
  private final Random random;
  private final int minWriteMs;
  private final int maxWriteMs;
  private WebSocketClient wsClient;

  // The paper as this client knows it.
  private String epoch;
  private long seq = -1;
  private final Map<String, JsonObject> notes = new HashMap<>();

  // The current connection.
  private WebSocket socket;
  private int connection;
  private boolean firstFrameSeen;
  private boolean ready;
  private long resumeTarget = -1;
  private boolean writing = true;
  private boolean stopping;

  // Ops.
  private long nextCid;
  private final Map<String, SentOp> ops = new LinkedHashMap<>();
  private final LinkedHashMap<String, SentOp> unacked = new LinkedHashMap<>();
  private final Map<String, Integer> lastVersion = new HashMap<>();
  /** Each owned note as the client's own ops, applied in order, leave it (author aside). */
  private final Map<String, JsonObject> intended = new HashMap<>();

  // Findings.
  private final List<String> violations = new ArrayList<>();
  private final List<JsonObject> errors = new ArrayList<>();
  private final List<Reconnect> reconnects = new ArrayList<>();
  private int resends;
  private int duplicateAcks;
  private int midConnectionSnapshots;
  private long closedAtNanos;
  private long upgradedAtNanos;
  private int closeCode;
  private int failedAttempts;
  private boolean gaveUp;

  WritingClient(Vertx vertx, String name, String paper, int balancerPort, int noteCount, long seed) {
    this(vertx, name, paper, balancerPort, noteCount, seed, 20, 50);
  }

  /** A client that writes one op every {@code minWriteMs}..{@code maxWriteMs} ms. */
  WritingClient(Vertx vertx, String name, String paper, int balancerPort, int noteCount, long seed, int minWriteMs,
                int maxWriteMs) {
    this.minWriteMs = minWriteMs;
    this.maxWriteMs = maxWriteMs;
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.name = name;
    this.paper = paper;
    this.balancerPort = balancerPort;
    this.random = new Random(seed);
    for (int k = 1; k <= noteCount; k++) {
      noteIds.add(name + "-n" + k);
    }
  }

  String name() {
    return name;
  }

  String paper() {
    return paper;
  }

  /** Runs {@code action} on the client's context and gives its result. */
  <T> Future<T> call(Supplier<T> action) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(ignored -> {
      try {
        promise.complete(action.get());
      } catch (Throwable error) {
        promise.fail(error);
      }
    });
    return promise.future();
  }

  /** Connects; completes with the first frame's type. Writing starts with it. */
  Future<String> start() {
    Promise<String> first = Promise.promise();
    context.runOnContext(ignored -> {
      wsClient = vertx.createWebSocketClient(new WebSocketClientOptions()
          .setMaxFrameSize(16 * 1024 * 1024).setMaxMessageSize(64 * 1024 * 1024));
      connect(first);
      scheduleWrite();
    });
    return first.future();
  }

  // ---- connection ---------------------------------------------------------------------------------

  private void connect(Promise<String> first) {
    StringBuilder uri = new StringBuilder("/ws/").append(paper).append("?user=").append(name).append("&name=")
        .append(name);
    if (epoch != null) {
      uri.append("&since=").append(seq).append("&epoch=").append(URLEncoder.encode(epoch, StandardCharsets.UTF_8));
    }
    long since = epoch == null ? -1 : seq;
    wsClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(balancerPort).setURI(uri.toString())
        .setTimeout(5000)).onComplete(result -> {
          if (stopping) {
            if (result.succeeded()) {
              result.result().close();
            }
            return;
          }
          if (result.failed()) {
            // A draining node answers 503 until the balancer has taken it out; a stopped one refuses.
            failedAttempts++;
            if (closedAtNanos != 0 && (System.nanoTime() - closedAtNanos) / 1_000_000 > RECONNECT_GIVE_UP_MS) {
              gaveUp = true;
              violations.add("gave up reconnecting after " + failedAttempts + " attempts: " + result.cause());
              return;
            }
            vertx.setTimer(RECONNECT_RETRY_MS, t -> connect(first));
            return;
          }
          attach(result.result(), first, since);
        });
  }

  private void attach(WebSocket ws, Promise<String> first, long since) {
    upgradedAtNanos = System.nanoTime();
    socket = ws;
    connection++;
    firstFrameSeen = false;
    ready = false;
    resumeTarget = -1;
    int thisConnection = connection;
    ws.textMessageHandler(text -> {
      if (connection == thisConnection) {
        onFrame(new JsonObject(text), first, since);
      }
    });
    ws.exceptionHandler(error -> {
    });
    ws.closeHandler(ignored -> {
      if (connection == thisConnection) {
        Short code = ws.closeStatusCode();
        onClosed(code == null ? 1006 : code);
      }
    });
  }

  private void onClosed(int code) {
    socket = null;
    ready = false;
    if (stopping) {
      return;
    }
    closeCode = code;
    closedAtNanos = System.nanoTime();
    failedAttempts = 0;
    if (code == 1000 || code == 1008 || code == 1009) {
      violations.add("connection " + connection + " closed with " + code + " (not a reconnectable close)");
    }
    connect(null);
  }

  // ---- frames -------------------------------------------------------------------------------------

  private void onFrame(JsonObject frame, Promise<String> first, long since) {
    String type = frame.getString("type");
    if (!firstFrameSeen) {
      firstFrameSeen = true;
      if (!"snapshot".equals(type) && !"resumed".equals(type)) {
        violations.add("connection " + connection + " started with a " + type + " frame");
      }
      if (closedAtNanos != 0) {
        reconnects.add(new Reconnect(closeCode, type, (System.nanoTime() - closedAtNanos) / 1_000_000,
            (upgradedAtNanos - closedAtNanos) / 1_000_000, failedAttempts, since));
        closedAtNanos = 0;
      }
      if (first != null) {
        first.tryComplete(type);
      }
      if ("resumed".equals(type)) {
        onResumed(frame, since);
        return;
      }
    }
    switch (type) {
      case "snapshot" -> onSnapshot(frame);
      case "delta" -> onDelta(frame);
      case "error" -> errors.add(frame);
      case "resumed" -> violations.add("connection " + connection + ": a resumed frame after the first frame");
      default -> {
        // presence, signal, completed: nothing to check here
      }
    }
  }

  private void onSnapshot(JsonObject frame) {
    boolean midConnection = ready;
    if (midConnection) {
      // The node could not keep its delivery promise and started this session over.
      midConnectionSnapshots++;
    }
    epoch = frame.getString("epoch");
    seq = frame.getLong("seq");
    resumeTarget = -1;
    notes.clear();
    for (Object note : frame.getJsonArray("notes", new JsonArray())) {
      JsonObject n = (JsonObject) note;
      notes.put(n.getString("id"), n.copy());
    }
    // Whether an unacked op made it into the snapshot cannot be told: send them all again, in order.
    // Puts and absolute patches leave the same note when applied twice.
    resendUnacked();
    ready = true;
  }

  private void onResumed(JsonObject frame, long since) {
    if (!frame.getString("epoch").equals(epoch)) {
      violations.add("connection " + connection + ": resumed in epoch " + frame.getString("epoch") + ", had " + epoch);
      epoch = frame.getString("epoch");
    }
    long from = frame.getLong("from");
    if (from != since) {
      violations.add("connection " + connection + ": resumed from " + from + ", asked since=" + since);
    }
    seq = from;
    resumeTarget = frame.getLong("seq");
    if (seq >= resumeTarget) {
      finishResume();
    }
  }

  /** The missed deltas are in: what is still unacked was not applied before the close. */
  private void finishResume() {
    resumeTarget = -1;
    resendUnacked();
    ready = true;
  }

  private void onDelta(JsonObject frame) {
    long s = frame.getLong("seq");
    if (s != seq + 1) {
      violations.add("connection " + connection + ": delta seq " + s + " after " + seq
          + (s <= seq ? " (duplicate)" : " (gap)"));
      if (s <= seq) {
        return;
      }
    }
    seq = s;
    apply(frame.getJsonObject("op"));
    String cid = frame.getString("cid");
    if (cid != null && cid.startsWith(name + "-")) {
      SentOp op = ops.get(cid);
      if (op == null) {
        violations.add("ack of an unknown cid " + cid);
      } else {
        op.acks++;
        if (op.acks == 1) {
          op.ackSeq = s;
          unacked.remove(cid);
        } else {
          // The op was sent again and both copies were applied: harmless for a put or absolute patch.
          duplicateAcks++;
        }
      }
    }
    if (resumeTarget >= 0 && seq >= resumeTarget) {
      finishResume();
    }
  }

  private void apply(JsonObject op) {
    switch (op.getString("kind")) {
      case "note.put" -> {
        JsonObject note = op.getJsonObject("note");
        notes.put(note.getString("id"), note.copy());
      }
      case "note.patch" -> {
        JsonObject note = notes.get(op.getString("id"));
        if (note == null) {
          violations.add("patch of a note missing locally: " + op.getString("id"));
          return;
        }
        patch(note, op.getJsonObject("fields"));
      }
      case "note.delete" -> notes.remove(op.getString("id"));
      default -> violations.add("unknown op kind in a delta: " + op.encode());
    }
  }

  private static void patch(JsonObject note, JsonObject fields) {
    fields.forEach(field -> {
      if (field.getValue() == null) {
        note.remove(field.getKey());
      } else {
        note.put(field.getKey(), field.getValue());
      }
    });
  }

  // ---- writing ------------------------------------------------------------------------------------

  private void scheduleWrite() {
    vertx.setTimer(minWriteMs + random.nextInt(maxWriteMs - minWriteMs + 1), t -> {
      if (!writing) {
        return;
      }
      if (ready && socket != null && unacked.size() < MAX_UNACKED) {
        sendNewOp();
      }
      scheduleWrite();
    });
  }

  private void sendNewOp() {
    String noteId = noteIds.get(random.nextInt(noteIds.size()));
    int version = lastVersion.merge(noteId, 1, Integer::sum);
    String text = noteId + " v" + version;
    JsonObject op;
    JsonObject current = intended.get(noteId);
    if (current == null || random.nextBoolean()) {
      JsonObject note = new JsonObject().put("id", noteId).put("text", text).put("v", version)
          .put("x", random.nextInt(1000)).put("y", random.nextInt(1000));
      if (random.nextInt(4) == 0) {
        note.put("color", List.of("yellow", "pink", "blue").get(random.nextInt(3)));
      }
      op = new JsonObject().put("kind", "note.put").put("note", note);
      intended.put(noteId, note.copy());
    } else {
      JsonObject fields = new JsonObject().put("text", text).put("v", version);
      if (random.nextInt(3) == 0) {
        fields.put("color", current.containsKey("color") ? null : "green");
      }
      op = new JsonObject().put("kind", "note.patch").put("id", noteId).put("fields", fields);
      patch(current, fields);
    }
    String cid = name + "-" + (++nextCid);
    SentOp sent = new SentOp(cid, noteId, version, op);
    ops.put(cid, sent);
    unacked.put(cid, sent);
    send(sent);
  }

  private void resendUnacked() {
    for (SentOp op : unacked.values()) {
      op.sends++;
      resends++;
      send(op);
    }
  }

  private void send(SentOp op) {
    if (socket != null) {
      socket.writeTextMessage(new JsonObject().put("type", "op").put("cid", op.cid).put("op", op.op).encode());
    }
  }

  // ---- the end ------------------------------------------------------------------------------------

  Future<Void> stopWriting() {
    return call(() -> {
      writing = false;
      return null;
    });
  }

  /** Stops for good: no reconnect after this. */
  Future<Void> close() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(ignored -> {
      stopping = true;
      writing = false;
      Future<Void> closing = socket == null ? Future.succeededFuture() : socket.close();
      closing.eventually(() -> wsClient.close()).onComplete(r -> done.complete());
    });
    return done.future();
  }

  /** What the test checks and reports, copied on the client's context. */
  Future<Result> result() {
    return call(() -> {
      Map<String, JsonObject> notesCopy = new TreeMap<>();
      notes.forEach((id, note) -> notesCopy.put(id, note.copy()));
      Map<String, JsonObject> intendedCopy = new TreeMap<>();
      intended.forEach((id, note) -> intendedCopy.put(id, note.copy()));
      List<SentOp> opsCopy = new ArrayList<>(ops.values());
      return new Result(name, paper, epoch, seq, ready, socket != null, notesCopy, intendedCopy, opsCopy,
          unacked.size(), resends, duplicateAcks, midConnectionSnapshots, List.copyOf(reconnects),
          List.copyOf(violations), List.copyOf(errors), gaveUp, connection,
          socket == null || socket.localAddress() == null ? -1 : socket.localAddress().port());
    });
  }

  record Result(String name, String paper, String epoch, long seq, boolean ready, boolean connected,
                Map<String, JsonObject> notes, Map<String, JsonObject> intended, List<SentOp> ops, int unacked,
                int resends, int duplicateAcks, int midConnectionSnapshots, List<Reconnect> reconnects,
                List<String> violations, List<JsonObject> errors, boolean gaveUp, int connections,
                int localPort) {
    long acked() {
      return ops.stream().filter(op -> op.acks > 0).count();
    }
  }
}
