package io.rollingpaper.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketConnectOptions;

/** One simulated browser tab: a WebSocket joined to one paper. Lives on its shard's event loop. */
final class LoadClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  final int index;
  final String user;
  final String url;
  final PaperLoad paper;
  final Shard shard;
  /** The start of this client's own cids as they appear in a frame, opening quote included. */
  private final String cidPrefix;
  private final String cidStart;
  private ClientWebSocket ws;
  private final Promise<Void> ready = Promise.promise();
  private long lastSeq = -1;
  private long opCounter;
  boolean open;

  LoadClient(int index, String url, PaperLoad paper, Shard shard) {
    this.index = index;
    this.user = "lg" + index;
    this.url = url;
    this.paper = paper;
    this.shard = shard;
    this.cidStart = "c" + index + "_";
    this.cidPrefix = "\"" + cidStart;
  }

  /** Connects and completes once the first snapshot arrived. Call on the shard's context. */
  Future<Void> connect(long timeoutMs) {
    ws = shard.wsClients.get(index % shard.wsClients.size()).webSocket();
    ws.textMessageHandler(this::onText);
    ws.closeHandler(v -> onClose());
    ws.exceptionHandler(e -> shard.exceptions++);
    WebSocketConnectOptions options = new WebSocketConnectOptions()
        .setAbsoluteURI(url + "/ws/" + paper.id + "?user=" + user + "&name=" + user)
        .setTimeout(timeoutMs);
    ws.connect(options).onComplete(ar -> {
      if (ar.succeeded()) {
        open = true;
      } else {
        ready.tryFail(ar.cause());
      }
    });
    return ready.future();
  }

  /** Sends one note.put carrying the send time. */
  void sendPut(String noteId, long t, String pad) {
    String frame = "{\"type\":\"op\",\"cid\":\"" + cidStart + (++opCounter)
        + "\",\"op\":{\"kind\":\"note.put\",\"note\":{\"id\":\"" + noteId + "\",\"t\":" + t
        + ",\"text\":\"" + pad + "\"}}}";
    ws.writeTextMessage(frame);
  }

  Future<Void> close() {
    if (ws == null || ws.isClosed()) {
      return Future.succeededFuture();
    }
    open = false;
    return ws.close((short) 1000).recover(e -> Future.succeededFuture());
  }

  private void onText(String s) {
    long now = System.nanoTime();
    if (s.startsWith(Frames.DELTA_PREFIX)) {
      long seq = Frames.seq(s, Frames.DELTA_PREFIX.length());
      if (lastSeq >= 0 && seq != lastSeq + 1) {
        shard.gaps++;
      }
      lastSeq = seq;
      int c = Frames.cidValue(s);
      if (c > 0 && s.startsWith(cidPrefix, c)) {
        shard.acked++;
      }
      shard.onDelivery(now, Frames.sendTime(s, c));
      return;
    }
    if (s.startsWith(Frames.PRESENCE_PREFIX)) {
      shard.presenceFrames++;
      return;
    }
    slowPath(s);
  }

  private void slowPath(String s) {
    JsonNode frame;
    try {
      frame = JSON.readTree(s);
    } catch (Exception e) {
      shard.unparsable++;
      return;
    }
    String type = frame.path("type").asText("");
    switch (type) {
      case "snapshot" -> {
        lastSeq = frame.path("seq").asLong(-1);
        if (!ready.tryComplete()) {
          shard.resnapshots++;
        }
      }
      case "resumed" -> lastSeq = frame.path("seq").asLong(-1);
      case "error" -> {
        String code = frame.path("code").asText("?");
        shard.errors.merge(code, 1L, Long::sum);
        if (frame.path("cid").asText("").startsWith(cidStart)) {
          shard.refused++;
        }
      }
      default -> shard.otherFrames++;
    }
  }

  private void onClose() {
    boolean wasOpen = open;
    open = false;
    Short code = ws.closeStatusCode();
    if (shard.closing) {
      return;
    }
    shard.closes.merge(code == null ? "none" : Short.toString(code), 1L, Long::sum);
    if (!ready.tryFail("closed before the snapshot (code " + code + ", " + ws.closeReason() + ")") && wasOpen) {
      shard.lostClients++;
    }
  }
}
