package io.rollingpaper.node.badinput;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A hostile client: sends whatever a case asks for (text, raw bytes in a TEXT frame, binary, fragments,
 * control frames, compressed messages) and records every frame the node answers, raw and parsed, and
 * how the socket ended (close code and reason, or none).
 */
final class Probe {
  /** One frame received: the raw text and, when it parses, the object. */
  record Received(String text, JsonObject json) {
    String type() {
      return json == null ? null : json.getString("type");
    }
  }

  private final WebSocketClient client;
  private final WebSocket socket;
  private final String user;
  private final List<Received> frames = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private final Promise<Short> closed = Promise.promise();
  private final java.util.Map<String, Promise<Void>> pings = new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong nextPing = new java.util.concurrent.atomic.AtomicLong();

  private record Waiter(int from, Predicate<Received> predicate, Promise<Received> promise) {
  }

  /** The handlers go on before the connect: see TestClient's constructor (a frame read before a late handler is dropped). */
  private Probe(WebSocketClient client, ClientWebSocket socket, String user) {
    this.client = client;
    this.socket = socket;
    this.user = user;
    socket.textMessageHandler(this::onText);
    socket.binaryMessageHandler(bytes -> onText("<binary " + bytes.length() + " bytes>"));
    socket.exceptionHandler(ignored -> {
    });
    socket.pongHandler(payload -> {
      Promise<Void> waiting = pings.remove(payload.toString());
      if (waiting != null) {
        waiting.tryComplete();
      }
    });
    socket.closeHandler(ignored -> closed.tryComplete(socket.closeStatusCode()));
  }

  /** Connects as {@code user} and waits for the first frame (snapshot or resumed). */
  static Future<Probe> join(Vertx vertx, int port, String paper, String user, boolean compression) {
    return join(vertx, port, paper, user, "", compression);
  }

  /** Connects as {@code user} with more query parameters ({@code query} starts with {@code &}). */
  static Future<Probe> join(Vertx vertx, int port, String paper, String user, String query, boolean compression) {
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(16 * 1024 * 1024).setMaxMessageSize(64 * 1024 * 1024)
        .setTryUsePerMessageCompression(compression));
    Probe probe = new Probe(client, client.webSocket(), user);
    return ((ClientWebSocket) probe.socket).connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
            .setURI("/ws/" + paper + "?user=" + user + query).setTimeout(15_000))
        .compose(connected -> probe.next(0, r -> true).timeout(5, TimeUnit.SECONDS).map(probe))
        .onFailure(error -> client.close());
  }

  String user() {
    return user;
  }

  /** The extensions the node agreed to in the handshake. */
  String extensions() {
    String negotiated = socket.headers() == null ? null : socket.headers().get("Sec-WebSocket-Extensions");
    return negotiated == null ? "" : negotiated;
  }

  WebSocket socket() {
    return socket;
  }

  private void onText(String text) {
    JsonObject json;
    try {
      json = new JsonObject(text);
    } catch (RuntimeException notAnObject) {
      json = null;
    }
    Received received = new Received(text, json);
    List<Waiter> matched = new ArrayList<>();
    synchronized (this) {
      frames.add(received);
      for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
        Waiter waiter = it.next();
        if (waiter.predicate.test(received)) {
          it.remove();
          matched.add(waiter);
        }
      }
    }
    matched.forEach(waiter -> waiter.promise.tryComplete(received));
  }

  /** How many frames have been received so far: a mark for {@link #next}. */
  synchronized int mark() {
    return frames.size();
  }

  /** The first frame at or after index {@code from} that matches. */
  synchronized Future<Received> next(int from, Predicate<Received> predicate) {
    for (int i = from; i < frames.size(); i++) {
      if (predicate.test(frames.get(i))) {
        return Future.succeededFuture(frames.get(i));
      }
    }
    Promise<Received> promise = Promise.promise();
    waiters.add(new Waiter(from, predicate, promise));
    return promise.future();
  }

  synchronized List<Received> frames() {
    return List.copyOf(frames);
  }

  synchronized List<Received> framesOfType(String type) {
    return frames.stream().filter(f -> type.equals(f.type())).toList();
  }

  Future<Short> closed() {
    return closed.future();
  }

  boolean isClosed() {
    return closed.future().isComplete() || socket.isClosed();
  }

  /** The close code the node sent, or null while open or when it sent none. */
  Short closeCode() {
    try {
      return socket.closeStatusCode();
    } catch (NullPointerException open) {
      return null;
    }
  }

  String closeReason() {
    return socket.closeReason();
  }

  // ---- sending ------------------------------------------------------------------------------

  Future<Void> sendText(String text) {
    return socket.writeTextMessage(text);
  }

  /** One final TEXT frame whose payload is exactly {@code bytes}, valid UTF-8 or not. */
  Future<Void> sendRawText(byte[] bytes) {
    return socket.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, bytes, true));
  }

  Future<Void> sendBinary(byte[] bytes) {
    return socket.writeBinaryMessage(Buffer.buffer(bytes));
  }

  /** A TEXT frame, then continuation frames: each part's bytes as they are. */
  Future<Void> sendFragments(List<byte[]> parts) {
    Future<Void> last = Future.succeededFuture();
    for (int i = 0; i < parts.size(); i++) {
      boolean fin = i == parts.size() - 1;
      WebSocketFrame frame = i == 0
          ? new WebSocketFrameImpl(WebSocketFrameType.TEXT, parts.get(i), fin)
          : WebSocketFrame.continuationFrame(Buffer.buffer(parts.get(i)), fin);
      last = socket.writeFrame(frame);
    }
    return last;
  }

  /**
   * Sends a ping and completes on its pong: the node handles a connection's frames in order, so by
   * then it has handled everything sent before (what it answers at once is already received).
   */
  Future<Void> sync() {
    String payload = "sync-" + nextPing.incrementAndGet();
    Promise<Void> pong = Promise.promise();
    pings.put(payload, pong);
    socket.writeFrame(WebSocketFrame.pingFrame(Buffer.buffer(payload))).onFailure(pong::tryFail);
    return pong.future();
  }

  Future<Void> sendPing(byte[] payload) {
    return socket.writeFrame(WebSocketFrame.pingFrame(Buffer.buffer(payload)));
  }

  Future<Void> sendPong(byte[] payload) {
    return socket.writeFrame(WebSocketFrame.pongFrame(Buffer.buffer(payload)));
  }

  /** Closes the socket (if still open) and releases the client, whatever state the socket is in. */
  Future<Void> close() {
    // Bounded: when the peer's close frame never comes, Vert.x 5.0.7's client can fail its own closing
    // timeout ("promise already done") and leave this future pending for good.
    Future<Void> closing = socket.isClosed() ? Future.succeededFuture()
        : socket.close().timeout(5, TimeUnit.SECONDS).otherwiseEmpty();
    return closing.compose(ignored -> closed.future().timeout(5, TimeUnit.SECONDS).otherwiseEmpty())
        .eventually(client::close).mapEmpty();
  }
}
