package io.rollingpaper.loadgen;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

@Command(name = "join-storm", mixinStandardHelpOptions = true,
    description = "Prefills a paper with N notes over the HTTP API, then M clients join it at once; reports "
        + "join-to-snapshot latency.")
final class JoinStormCommand implements java.util.concurrent.Callable<Integer> {
  @Mixin
  ConnectionOptions connection;

  @Option(names = "--clients", defaultValue = "1000", description = "Clients joining at once (default: ${DEFAULT-VALUE}).")
  int clients;

  @Option(names = "--notes", defaultValue = "1000", description = "Notes in the paper (default: ${DEFAULT-VALUE}).")
  int notes;

  @Option(names = "--note-bytes", defaultValue = "100", description = "Approximate size of a note (default: ${DEFAULT-VALUE}).")
  int noteBytes;

  @Option(names = "--api-key", description = "API key for the HTTP API, when the nodes require one.")
  String apiKey;

  @Option(names = "--timeout", defaultValue = "30s", description = "Time allowed for the storm (default: ${DEFAULT-VALUE}).")
  Duration timeout;







  @Spec
  CommandSpec spec;

  // Touched on the event loops only while the storm runs; read after it.
  private final Histogram toSnapshot = new Histogram(Shard.MAX_LATENCY_US, 3);
  private final Histogram toUpgrade = new Histogram(Shard.MAX_LATENCY_US, 3);
  private final Map<String, Long> failures = new TreeMap<>();
  private long wrongSeq;
  private long snapshotBytes;

  @Override
  public Integer call() throws Exception {
    String base = connection.singleOursUrl("join-storm");
    String httpBase = "http" + base.substring(2);
    String paper = "storm-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40, 1L << 41), 36);
    // One event loop keeps the histograms single-threaded; more loops share them through synchronized recording.
    Vertx vertx = Vertx.builder().with(new VertxOptions().setPreferNativeTransport(connection.nativeTransport).setEventLoopPoolSize(connection.eventLoops).setWorkerPoolSize(2)
        .setBlockedThreadCheckInterval(10).setBlockedThreadCheckIntervalUnit(TimeUnit.SECONDS)).build();
    List<ClientWebSocket> sockets = new ArrayList<>();
    // Held until the end: Vert.x closes the connections of a collected client.
    List<WebSocketClient> wsClients = new ArrayList<>();
    List<String> locals = connection.expandedLocalAddresses();
    for (String local : locals.isEmpty() ? java.util.Collections.<String>singletonList(null) : locals) {
      WebSocketClientOptions o = new WebSocketClientOptions().setMaxConnections(clients + 16)
          .setMaxMessageSize(256 * 1024 * 1024).setMaxFrameSize(1024 * 1024).setTcpNoDelay(true)
          .setConnectTimeout((int) timeout.toMillis());
      if (local != null) {
        o.setLocalAddress(local);
      }
      wsClients.add(vertx.createWebSocketClient(o));
    }
    HttpClientAgent http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(16));
    try {
      long prefillMs = prefill(http, httpBase, paper);
      System.out.printf("prefilled %s with %d notes in %d ms%n", paper, notes, prefillMs);

      CpuMeter cpu = new CpuMeter(connection.pids, connection.otherPids, connection.clockTicks);
      cpu.start();
      AtomicInteger done = new AtomicInteger();
      CompletableFuture<Void> all = new CompletableFuture<>();
      long t0 = System.nanoTime();
      vertx.runOnContext(v -> {
        for (int i = 0; i < clients; i++) {
          join(wsClients.get(i % wsClients.size()), base, paper, i, t0, sockets).onComplete(ar -> {
            if (done.incrementAndGet() == clients) {
              all.complete(null);
            }
          });
        }
      });
      try {
        all.get(timeout.toMillis() + 2000, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        synchronized (this) {
          failures.merge("timeout", (long) (clients - done.get()), Long::sum);
        }
      }
      long stormMs = (System.nanoTime() - t0) / 1_000_000;
      Map<String, Object> cpuFigures;
      long ok;
      Map<String, Object> summary = new LinkedHashMap<>();
      synchronized (this) {
        ok = toSnapshot.getTotalCount();
        cpuFigures = cpu.stop(ok, "snapshots");
        System.out.printf("join storm: %d clients on a paper of %d notes: %d snapshots in %d ms%n", clients, notes, ok, stormMs);
        System.out.println("  join -> snapshot  " + Report.latencyLine(toSnapshot));
        System.out.println("  join -> upgrade   " + Report.latencyLine(toUpgrade));
        System.out.printf("  failures %s, snapshots with an unexpected seq %d, snapshot bytes %d%n", failures, wrongSeq,
            snapshotBytes);
        Report.printCpu(cpuFigures, "snapshots");
        summary.put("scenario", "join-storm");
        summary.put("command", "java -jar rolling-paper-loadgen.jar " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
        summary.put("machine", Report.machine());
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("url", base);
        config.put("paper", paper);
        config.put("clients", clients);
        config.put("notes", notes);
        config.put("note_bytes", noteBytes);
        config.put("pids", connection.pids);
        summary.put("config", config);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("prefill_ms", prefillMs);
        result.put("storm_ms", stormMs);
        result.put("snapshots", ok);
        result.put("join_to_snapshot", Report.latency(toSnapshot));
        result.put("join_to_upgrade", Report.latency(toUpgrade));
        result.put("failures", new TreeMap<>(failures));
        result.put("unexpected_seq", wrongSeq);
        result.put("snapshot_bytes_received", snapshotBytes);
        result.put("cpu", cpuFigures);
        summary.put("result", result);
      }
      Report.write(summary, connection.out, "join-storm");
      // Leave the paper's live data behind only if the delete fails.
      RequestOptions del = new RequestOptions().setMethod(HttpMethod.DELETE).setAbsoluteURI(httpBase + "/api/papers/" + paper);
      if (apiKey != null) {
        del.addHeader("Authorization", "Bearer " + apiKey);
      }
      for (ClientWebSocket ws : sockets) {
        ws.close();
      }
      http.request(del).compose(r -> r.send()).toCompletionStage().toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
      return ok == clients && wrongSeq == 0 ? 0 : 1;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private long prefill(HttpClientAgent http, String httpBase, String paper) throws Exception {
    String pad = "x".repeat(Math.max(0, noteBytes - "{\"id\":\"n0000\",\"author\":\"backend\",\"text\":\"\"}".length()));
    long t0 = System.nanoTime();
    AtomicInteger next = new AtomicInteger();
    List<Future<Void>> lanes = new ArrayList<>();
    for (int lane = 0; lane < 16; lane++) {
      lanes.add(prefillLane(http, httpBase, paper, pad, next));
    }
    Future.all(lanes).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    return (System.nanoTime() - t0) / 1_000_000;
  }

  private Future<Void> prefillLane(HttpClientAgent http, String httpBase, String paper, String pad, AtomicInteger next) {
    int i = next.getAndIncrement();
    if (i >= notes) {
      return Future.succeededFuture();
    }
    RequestOptions req = new RequestOptions().setMethod(HttpMethod.POST)
        .setAbsoluteURI(httpBase + "/api/papers/" + paper + "/ops").addHeader("Content-Type", "application/json");
    if (apiKey != null) {
      req.addHeader("Authorization", "Bearer " + apiKey);
    }
    String body = "{\"op\":{\"kind\":\"note.put\",\"note\":{\"id\":\"n" + i + "\",\"text\":\"" + pad + "\"}},\"by\":\"loadgen\"}";
    return http.request(req)
        .compose(r -> r.send(Buffer.buffer(body)))
        .compose(resp -> resp.body().compose(b -> resp.statusCode() == 200
            ? Future.<Void>succeededFuture()
            : Future.<Void>failedFuture("prefill op " + i + ": HTTP " + resp.statusCode() + " " + b)))
        .compose(v -> prefillLane(http, httpBase, paper, pad, next));
  }

  private Future<Void> join(WebSocketClient client, String base, String paper, int i, long t0, List<ClientWebSocket> sockets) {
    Promise<Void> p = Promise.promise();
    ClientWebSocket ws = client.webSocket();
    synchronized (this) {
      sockets.add(ws);
    }
    ws.textMessageHandler(s -> {
      if (p.future().isComplete()) {
        return; // presence of later joiners
      }
      long now = System.nanoTime();
      if (s.startsWith(Frames.SNAPSHOT_PREFIX)) {
        synchronized (this) {
          toSnapshot.recordValue(Math.min((now - t0) / 1000, Shard.MAX_LATENCY_US));
          snapshotBytes += s.length();
          if (Frames.seq(s, 0) != notes) {
            wrongSeq++;
          }
        }
      } else {
        synchronized (this) {
          failures.merge("first frame not a snapshot", 1L, Long::sum);
        }
      }
      p.tryComplete();
    });
    ws.closeHandler(v -> {
      if (!p.future().isComplete()) {
        synchronized (this) {
          failures.merge("closed " + ws.closeStatusCode(), 1L, Long::sum);
        }
        p.tryComplete();
      }
    });
    WebSocketConnectOptions options = new WebSocketConnectOptions()
        .setAbsoluteURI(base + "/ws/" + paper + "?user=storm" + i + "&name=storm" + i).setTimeout(timeout.toMillis());
    ws.connect(options).onComplete(ar -> {
      long now = System.nanoTime();
      synchronized (this) {
        if (ar.succeeded()) {
          toUpgrade.recordValue(Math.min((now - t0) / 1000, Shard.MAX_LATENCY_US));
        } else {
          String cause = ar.cause().getClass().getSimpleName() + ": " + String.valueOf(ar.cause().getMessage());
          failures.merge(cause.length() > 120 ? cause.substring(0, 120) : cause, 1L, Long::sum);
        }
      }
      if (ar.failed()) {
        p.tryComplete();
      }
    });
    return p.future();
  }
}
