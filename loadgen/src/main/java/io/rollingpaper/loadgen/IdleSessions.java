package io.rollingpaper.loadgen;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The idle scenario's sessions: each joins one paper, takes its snapshot, then stays silent. Joins are paced
 * (at most {@code concurrency} in flight, {@code connectRate} started per second) and each session's events run
 * on its own event loop; the counters are read from the command's thread.
 */
final class IdleSessions {
  private final int connections;
  private final int papers;
  private final int concurrency;
  private final double connectRate;
  private final Duration joinTimeout;

  final Histogram joinLatency = new ConcurrentHistogram(Shard.MAX_LATENCY_US, 3);
  final AtomicLong joined = new AtomicLong();
  final AtomicLong failed = new AtomicLong();
  final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger finished = new AtomicInteger();
  final LongAdder presenceFrames = new LongAdder();
  final LongAdder otherFrames = new LongAdder();
  final LongAdder lost = new LongAdder();
  final LongAdder exceptions = new LongAdder();
  private final Map<String, Long> failures = new TreeMap<>();
  private final Map<String, Long> closes = new TreeMap<>();
  /** Completes once every session has joined or failed to. */
  final CompletableFuture<Void> allFinished = new CompletableFuture<>();
  private volatile boolean closing;
  private final ClientWebSocket[] sockets;

  IdleSessions(int connections, int papers, int concurrency, double connectRate, Duration joinTimeout) {
    this.connections = connections;
    this.papers = papers;
    this.concurrency = concurrency;
    this.connectRate = connectRate;
    this.joinTimeout = joinTimeout;
    this.sockets = new ClientWebSocket[connections];
  }

  /** Why joins failed, with counts. */
  Map<String, Long> failures() {
    synchronized (failures) {
      return new TreeMap<>(failures);
    }
  }

  /** The close codes of sessions lost after their snapshot, with counts. */
  Map<String, Long> closes() {
    synchronized (closes) {
      return new TreeMap<>(closes);
    }
  }

  long frames() {
    return presenceFrames.sum() + otherFrames.sum();
  }

  /** One session's join; confined to its event loop. */
  private final class Join {
    final int index;
    final ClientWebSocket ws;
    final long start = System.nanoTime();
    long timer = -1;
    boolean done;
    boolean ok;

    Join(int index, ClientWebSocket ws) {
      this.index = index;
      this.ws = ws;
    }

    void succeed() {
      if (done) {
        return;
      }
      done = true;
      ok = true;
      joinLatency.recordValue(Math.min((System.nanoTime() - start) / 1000, Shard.MAX_LATENCY_US));
      joined.incrementAndGet();
      finish();
    }

    void fail(String why) {
      if (done) {
        return;
      }
      done = true;
      failed.incrementAndGet();
      synchronized (failures) {
        failures.merge(why.length() > 120 ? why.substring(0, 120) : why, 1L, Long::sum);
      }
      if (!ws.isClosed()) {
        ws.close();
      }
      finish();
    }

    private void finish() {
      inFlight.decrementAndGet();
      if (finished.incrementAndGet() == connections) {
        allFinished.complete(null);
      }
    }
  }

  /** Starts the joins; {@link #allFinished} completes when the last has joined or failed. */
  void start(List<Context> contexts, List<WebSocketClient> clients, String base, String run) {
    AtomicInteger next = new AtomicInteger();
    double[] budget = {Math.min(connectRate > 0 ? connectRate / 100 : concurrency, concurrency)};
    long[] last = {System.nanoTime()};
    Context driver = contexts.get(0);
    driver.runOnContext(v -> {
      long period = 10;
      vertx(driver).setPeriodic(0, period, id -> {
        long now = System.nanoTime();
        if (connectRate > 0) {
          // At most a tenth of a second's worth of joins saved up.
          budget[0] = Math.min(budget[0] + connectRate * (now - last[0]) / 1e9, Math.max(1, connectRate / 10));
        } else {
          budget[0] = Double.MAX_VALUE;
        }
        last[0] = now;
        while (next.get() < connections && inFlight.get() < concurrency && budget[0] >= 1) {
          int i = next.getAndIncrement();
          budget[0] -= 1;
          inFlight.incrementAndGet();
          Context ctx = contexts.get(i % contexts.size());
          WebSocketClient client = clients.get(i % clients.size());
          ctx.runOnContext(x -> join(ctx, client, base, run, i));
        }
        if (next.get() >= connections) {
          vertx(driver).cancelTimer(id);
        }
      });
    });
  }

  private static Vertx vertx(Context ctx) {
    return ctx.owner();
  }

  private void join(Context ctx, WebSocketClient client, String base, String run, int i) {
    ClientWebSocket ws = client.webSocket();
    sockets[i] = ws;
    Join j = new Join(i, ws);
    ws.textMessageHandler(s -> {
      if (!j.done) {
        if (s.startsWith(Frames.SNAPSHOT_PREFIX)) {
          j.succeed();
        } else {
          j.fail("first frame not a snapshot: " + s.substring(0, Math.min(60, s.length())));
        }
        cancel(ctx, j);
        return;
      }
      if (s.startsWith(Frames.PRESENCE_PREFIX)) {
        presenceFrames.increment();
      } else {
        otherFrames.increment();
      }
    });
    ws.exceptionHandler(e -> exceptions.increment());
    ws.closeHandler(v -> {
      if (closing) {
        return;
      }
      Short code = ws.closeStatusCode();
      if (!j.done) {
        j.fail("closed before the snapshot with " + code + " " + ws.closeReason());
        cancel(ctx, j);
      } else if (j.ok) {
        lost.increment();
        synchronized (closes) {
          closes.merge(code == null ? "none" : Short.toString(code), 1L, Long::sum);
        }
      }
    });
    j.timer = ctx.owner().setTimer(joinTimeout.toMillis(), id -> {
      j.timer = -1;
      j.fail("no snapshot within " + DurationConverter.format(joinTimeout));
    });
    String paper = "idle-" + run + "-" + (i % papers);
    WebSocketConnectOptions options = new WebSocketConnectOptions()
        .setAbsoluteURI(base + "/ws/" + paper + "?user=idle" + i + "&name=idle" + i).setTimeout(joinTimeout.toMillis());
    ws.connect(options).onComplete(ar -> {
      if (ar.failed() && !j.done) {
        Throwable c = ar.cause();
        j.fail(c instanceof UpgradeRejectedException u ? "HTTP " + u.getStatus()
            : c.getClass().getSimpleName() + ": " + c.getMessage());
        cancel(ctx, j);
      }
    });
  }

  private static void cancel(Context ctx, Join j) {
    if (j.timer >= 0) {
      ctx.owner().cancelTimer(j.timer);
      j.timer = -1;
    }
  }

  long countOpen() {
    long n = 0;
    for (ClientWebSocket ws : sockets) {
      if (ws != null && !ws.isClosed()) {
        n++;
      }
    }
    return n;
  }

  /** Closes every open session (1000), waiting at most 30 s; the closes are not counted as losses. */
  void closeAll(List<Context> contexts) {
    closing = true;
    List<Future<Void>> all = new ArrayList<>();
    for (int c = 0; c < contexts.size(); c++) {
      int from = c;
      Promise<Void> p = Promise.promise();
      contexts.get(c).runOnContext(v -> {
        List<Future<Void>> mine = new ArrayList<>();
        for (int i = from; i < sockets.length; i += contexts.size()) {
          ClientWebSocket ws = sockets[i];
          if (ws != null && !ws.isClosed()) {
            mine.add(ws.close((short) 1000).recover(e -> Future.succeededFuture()));
          }
        }
        Future.all(mine).onComplete(ar -> p.complete());
      });
      all.add(p.future());
    }
    try {
      Future.all(all).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("closing the sessions: " + e);
    }
  }

  /** A hint at the node's limit, when the failures say joins were refused for it. */
  String hint() {
    // Connection caps are refused in-band now (an error frame rate_limited, then close 4429); older nodes
    // answered HTTP 429 before the upgrade.
    boolean rejected = failures.keySet().stream()
        .anyMatch(k -> k.startsWith("HTTP 429") || k.contains(" 4429 ") || k.contains("rate_limited"));
    return rejected ? " (4429: the node's MAX_CONNECTIONS_PER_ADDRESS or MAX_CONNECTIONS_PER_PAPER is too low)" : "";
  }
}
