package io.rollingpaper.loadgen;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * One simulated browser tab: a WebSocket joined to one paper. Lives on its shard's event loop. Speaks
 * the target's {@link WireDialect}; the measurement (send time in the note, seq gaps, acknowledgement
 * by the own cid coming back in a delta) is done here, the same for every target.
 */
final class LoadClient implements WireDialect.Events {

  final int index;
  final String user;
  final String url;
  final PaperLoad paper;
  final Shard shard;
  private final WireDialect dialect;
  /** The start of this client's own cids as they appear in a frame, opening quote included. */
  private final String cidPrefix;
  private final String cidStart;
  private ClientWebSocket ws;
  private final Promise<Void> ready = Promise.promise();
  private long lastSeq = -1;
  /** The highest seq applied; a delta at or below it came out of order (or twice). */
  private long maxSeq = -1;
  private long opCounter;
  boolean open;

  LoadClient(int index, String url, PaperLoad paper, Shard shard, Target target) {
    this.index = index;
    this.user = "lg" + index;
    this.url = url;
    this.paper = paper;
    this.shard = shard;
    this.dialect = target.dialect(paper.id);
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
        .setAbsoluteURI(dialect.uri(url, user))
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
    String op = "{\"kind\":\"note.put\",\"note\":{\"id\":\"" + noteId + "\",\"t\":" + t
        + ",\"text\":\"" + pad + "\"}}";
    ws.writeTextMessage(dialect.opFrame(cidStart + (++opCounter), op));
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
    int d = dialect.deltaStart(s);
    if (d < 0) {
      dialect.onOther(s, this);
      return;
    }
    long seq = Frames.seq(s, d);
    if (lastSeq >= 0 && seq != lastSeq + 1) {
      shard.gaps++;
    }
    // A gap is either a lost delta or one that comes later; telling them apart says which (the
    // Socket.IO peer does not order deltas accepted on different processes).
    if (seq == lastSeq) {
      shard.duplicates++;
    } else if (seq <= maxSeq) {
      shard.reordered++;
    } else {
      maxSeq = seq;
    }
    lastSeq = seq;
    int c = Frames.cidValue(s, d);
    if (c > 0 && s.startsWith(cidPrefix, c)) {
      shard.acked++;
    }
    shard.onDelivery(now, Frames.sendTime(s, c));
  }

  // WireDialect.Events: the slow path, everything but deltas.

  @Override
  public void send(String frame) {
    // Not "open": the server's first packet can come before the connect future's handler has run.
    if (!ws.isClosed()) {
      ws.writeTextMessage(frame);
    }
  }

  @Override
  public void snapshot(long seq) {
    lastSeq = seq;
    maxSeq = seq;
    if (!ready.tryComplete()) {
      shard.resnapshots++;
    }
  }

  @Override
  public void resumed(long seq) {
    lastSeq = seq;
    maxSeq = seq;
  }

  @Override
  public void error(String code, String cid) {
    shard.errors.merge(code, 1L, Long::sum);
    if (cid.startsWith(cidStart)) {
      shard.refused++;
    }
  }

  @Override
  public void refused(String reason) {
    shard.errors.merge("connect_refused", 1L, Long::sum);
    ready.tryFail(reason);
  }

  @Override
  public void presence() {
    shard.presenceFrames++;
  }

  @Override
  public void other() {
    shard.otherFrames++;
  }

  @Override
  public void unparsable() {
    shard.unparsable++;
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
