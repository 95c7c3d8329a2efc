package io.rollingpaper.node.support;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;

/**
 * A protocol client over a real WebSocket that records every frame and lets a test wait for one.
 * Waits are futures; the test's own timeout bounds them.
 */
public final class TestClient {
  /** Held for the socket's lifetime: Vert.x closes the connections of a client that is garbage-collected. */
  private final WebSocketClient client;
  private final WebSocket socket;
  private final List<JsonObject> frames = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private final Promise<Short> closed = Promise.promise();
  private static final java.util.concurrent.atomic.AtomicLong CIDS = new java.util.concurrent.atomic.AtomicLong();

  private record Waiter(Predicate<JsonObject> predicate, Promise<JsonObject> promise) {
  }

  private TestClient(WebSocketClient client, WebSocket socket) {
    this.client = client;
    this.socket = socket;
    socket.textMessageHandler(text -> onFrame(new JsonObject(text)));
    socket.closeHandler(ignored -> closed.tryComplete(socket.closeStatusCode()));
  }

  /**
   * The clients of each node port. Vert.x 5 shuts a WebSocket client down gracefully for up to 30 s when
   * the test's Vert.x closes, and a connection whose node is gone but whose close never completed on the
   * client side (seen on a quiet machine too) held it that long: vertx-junit5 gives up at 30 s ("Closing
   * the Vertx context timed out"). {@link #forget(int)} ends them once their node has stopped.
   */
  private static final Map<Integer, Set<WebSocketClient>> CLIENTS_BY_PORT = new ConcurrentHashMap<>();

  public static Future<TestClient> connect(Vertx vertx, int port, String uri) {
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(16 * 1024 * 1024).setMaxMessageSize(64 * 1024 * 1024));
    CLIENTS_BY_PORT.computeIfAbsent(port, ignored -> ConcurrentHashMap.newKeySet()).add(client);
    return client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri))
        .map(socket -> new TestClient(client, socket));
  }

  /** Connects and waits for the first frame (a snapshot or resumed). */
  public static Future<TestClient> join(Vertx vertx, int port, String uri) {
    return connect(vertx, port, uri).compose(client -> {
      Future<JsonObject> closedFirst = client.closed().compose(code ->
          Future.failedFuture("the socket closed with " + code + " before its first frame: " + uri));
      return Future.any(client.waitFor(f -> true), closedFirst).map(client);
    });
  }

  private void onFrame(JsonObject frame) {
    List<Waiter> matched = new ArrayList<>();
    synchronized (this) {
      frames.add(frame);
      for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
        Waiter waiter = it.next();
        if (waiter.predicate.test(frame)) {
          it.remove();
          matched.add(waiter);
        }
      }
    }
    // Completed outside the lock and the loop: a waiter's callbacks may register new waiters.
    matched.forEach(waiter -> waiter.promise.complete(frame));
  }

  /** The first frame received so far or later that matches. */
  public synchronized Future<JsonObject> waitFor(Predicate<JsonObject> predicate) {
    for (JsonObject frame : frames) {
      if (predicate.test(frame)) {
        return Future.succeededFuture(frame);
      }
    }
    Promise<JsonObject> promise = Promise.promise();
    waiters.add(new Waiter(predicate, promise));
    return promise.future();
  }

  /** Sends a frame and waits for the first frame received after it that matches. */
  public synchronized Future<JsonObject> sendAndWait(String text, Predicate<JsonObject> predicate) {
    Promise<JsonObject> promise = Promise.promise();
    waiters.add(new Waiter(predicate, promise));
    send(text);
    return promise.future();
  }

  public Future<JsonObject> waitForType(String type) {
    return waitFor(f -> type.equals(f.getString("type")));
  }

  public Future<JsonObject> ack(String cid) {
    return waitFor(f -> "delta".equals(f.getString("type")) && cid.equals(f.getString("cid")));
  }

  public Future<JsonObject> error(String cid) {
    return waitFor(f -> "error".equals(f.getString("type")) && java.util.Objects.equals(cid, f.getString("cid")));
  }

  public Future<JsonObject> seq(long seq) {
    return waitFor(f -> "delta".equals(f.getString("type")) && f.getLong("seq") == seq);
  }

  /** Sends an op with a fresh cid and returns the cid. */
  public String op(JsonObject op) {
    String cid = "c" + CIDS.incrementAndGet();
    send(new JsonObject().put("type", "op").put("cid", cid).put("op", op).encode());
    return cid;
  }

  /** Sends an op and waits for its ack (the delta carrying its cid). */
  public Future<JsonObject> apply(JsonObject op) {
    return ack(op(op));
  }

  public void send(String text) {
    socket.writeTextMessage(text);
  }

  public WebSocket socket() {
    return socket;
  }

  public synchronized List<JsonObject> frames() {
    return List.copyOf(frames);
  }

  public synchronized List<JsonObject> deltas() {
    return frames.stream().filter(f -> "delta".equals(f.getString("type"))).toList();
  }

  public Future<Short> closed() {
    return closed.future();
  }

  /** Ends, without a close handshake, every client connected to {@code port}: call once that node has stopped. */
  public static Future<Void> forget(int port) {
    Set<WebSocketClient> clients = CLIENTS_BY_PORT.remove(port);
    if (clients == null) {
      return Future.succeededFuture();
    }
    return Future.join(clients.stream().map(client -> client.shutdown(0, TimeUnit.SECONDS)).toList())
        .<Void>mapEmpty().otherwiseEmpty();
  }

  public Future<Void> close() {
    return socket.close().eventually(client::close);
  }

  // ---- ops ----------------------------------------------------------------------------------

  public static JsonObject put(String id, Object... fields) {
    JsonObject note = new JsonObject().put("id", id);
    for (int i = 0; i < fields.length; i += 2) {
      note.put((String) fields[i], fields[i + 1]);
    }
    return new JsonObject().put("kind", "note.put").put("note", note);
  }

  public static JsonObject patch(String id, JsonObject fields) {
    return new JsonObject().put("kind", "note.patch").put("id", id).put("fields", fields);
  }

  public static JsonObject delete(String id) {
    return new JsonObject().put("kind", "note.delete").put("id", id);
  }
}
