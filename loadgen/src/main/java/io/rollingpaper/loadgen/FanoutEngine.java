package io.rollingpaper.loadgen;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClientOptions;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * P papers × C clients spread over the given URLs, driven by a few event loops (shards). Steps run at
 * a given op rate per paper: after a warm-up the end-to-end latency of every delivery is recorded.
 */
final class FanoutEngine implements AutoCloseable {

  record Config(List<String> urls, int papers, int clientsPerPaper, int noteBytes, int noteIds, int eventLoops,
      Duration connectTimeout, List<String> pids, List<String> otherPids, double clockTicks,
      List<String> localAddresses, boolean nativeTransport, Target target, double cpuShare,
      RedisCommandStats redisStats, int connectInFlight) {
  }

  private final Config config;
  private final Vertx vertx;
  private final List<Shard> shards = new ArrayList<>();
  private final List<PaperLoad> papers = new ArrayList<>();
  private final long base = System.nanoTime();
  final String runId = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40, 1L << 41), 36);

  FanoutEngine(Config config) {
    this.config = config;
    this.vertx = Vertx.builder()
        .with(new VertxOptions().setPreferNativeTransport(config.nativeTransport())
            .setEventLoopPoolSize(config.eventLoops()).setWorkerPoolSize(2)
            .setInternalBlockingPoolSize(2).setBlockedThreadCheckInterval(10).setBlockedThreadCheckIntervalUnit(TimeUnit.SECONDS))
        .build();
    String pad = "x".repeat(Math.max(0, config.noteBytes() - "{\"id\":\"n00\",\"t\":1234567890123,\"text\":\"\"}".length()));
    int totalClients = config.papers() * config.clientsPerPaper();
    List<String> locals = config.localAddresses().isEmpty() ? java.util.Collections.singletonList(null)
        : config.localAddresses();
    for (int s = 0; s < config.eventLoops(); s++) {
      List<io.vertx.core.http.WebSocketClient> wsClients = new ArrayList<>();
      for (String local : locals) {
        WebSocketClientOptions options = new WebSocketClientOptions()
            .setMaxConnections(totalClients + 16)
            .setMaxMessageSize(64 * 1024 * 1024)
            .setMaxFrameSize(1024 * 1024)
            .setTcpNoDelay(true)
            .setConnectTimeout((int) config.connectTimeout().toMillis());
        if (local != null) {
          options.setLocalAddress(local);
        }
        wsClients.add(vertx.createWebSocketClient(options));
      }
      // A non-Vert.x thread gets a new context per call, on the event loops in turn.
      shards.add(new Shard(vertx.getOrCreateContext(), wsClients, base, pad));
    }
    int g = 0;
    for (int p = 0; p < config.papers(); p++) {
      Shard shard = shards.get(p % shards.size());
      PaperLoad paper = new PaperLoad("lg-" + runId + "-" + p, p, config.noteIds());
      for (int c = 0; c < config.clientsPerPaper(); c++, g++) {
        LoadClient client = new LoadClient(g, config.urls().get(g % config.urls().size()), paper, shard,
            config.target());
        paper.clients.add(client);
        shard.clients.add(client);
      }
      shard.papers.add(paper);
      papers.add(paper);
    }
  }

  /**
   * Connects every client and waits for every snapshot. At most {@code connectInFlight} joins per shard are in
   * flight: thousands of handshakes started in one go block the shard's event loop and make a join storm of
   * what should be a steady workload.
   */
  void connect() {
    long t0 = System.nanoTime();
    List<Future<Void>> all = new ArrayList<>();
    for (Shard shard : shards) {
      all.addAll(shard.call(() -> {
        List<Promise<Void>> joins = new ArrayList<>();
        for (int i = 0; i < shard.clients.size(); i++) {
          joins.add(Promise.promise());
        }
        int[] next = {0};
        Runnable[] startNext = new Runnable[1];
        startNext[0] = () -> {
          int i = next[0]++;
          if (i < joins.size() && !shard.closing) {
            shard.clients.get(i).connect(config.connectTimeout().toMillis()).onComplete(ar -> {
              joins.get(i).handle(ar);
              startNext[0].run();
            });
          }
        };
        for (int k = 0; k < config.connectInFlight(); k++) {
          startNext[0].run();
        }
        return joins.stream().map(Promise::future).toList();
      }));
    }
    try {
      Future.join(all).toCompletionStage().toCompletableFuture()
          .get(config.connectTimeout().toMillis() + 5000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      // counted below
    }
    long failed = all.stream().filter(f -> !f.succeeded()).count();
    if (failed > 0) {
      String cause = all.stream().filter(Future::failed).map(f -> String.valueOf(f.cause())).findFirst().orElse("timed out");
      throw new IllegalStateException(failed + " of " + all.size() + " clients did not get a snapshot: " + cause);
    }
    System.out.printf("connected %d clients to %d papers over %s (%s) in %d ms (run %s, %s transport, %d event loop(s))%n",
        all.size(), papers.size(), config.urls(), config.target().label(), (System.nanoTime() - t0) / 1_000_000, runId,
        vertx.isNativeTransportEnabled() ? "native epoll" : "NIO", config.eventLoops());
  }

  /** Runs one step: warm-up, measured window, then a drain of at most {@code drainMax} for the last acks. */
  StepResult runStep(double ratePerPaper, Duration warmup, Duration duration, Duration drainMax) throws InterruptedException {
    long start = System.nanoTime() + 20_000_000L;
    long measureFrom = start + warmup.toNanos();
    long measureTo = measureFrom + duration.toNanos();
    // CPU is read over the middle of the window: its edges hold the step change and the last acknowledgements.
    long margin = (long) (duration.toNanos() * (1 - config.cpuShare()) / 2);
    long cpuFrom = measureFrom + margin;
    long cpuTo = measureTo - margin;
    for (Shard s : shards) {
      s.call(() -> {
        s.startStep(ratePerPaper, start, measureFrom, measureTo, cpuFrom, cpuTo, papers.size());
        return null;
      });
    }
    CpuMeter cpu = new CpuMeter(config.pids(), config.otherPids(), config.clockTicks());
    StallProbe stalls = new StallProbe();
    RedisLatencyEvents redisStalls = config.redisStats() == null ? null : config.redisStats().latencyEvents();
    sleepUntil(measureFrom);
    stalls.start();
    if (redisStalls != null) {
      redisStalls.start();
    }
    sleepUntil(cpuFrom);
    cpu.start();
    Map<String, RedisCommandStats.Counter> redisBefore = config.redisStats() == null ? null : config.redisStats().read();
    sleepUntil(cpuTo);
    cpu.end();
    Map<String, RedisCommandStats.Counter> redisAfter = config.redisStats() == null ? null : config.redisStats().read();
    sleepUntil(measureTo);
    stalls.stop();
    long drainStart = System.nanoTime();
    long drainDeadline = drainStart + drainMax.toNanos();
    while (System.nanoTime() < drainDeadline) {
      long outstanding = shards.stream().mapToLong(s -> s.call(s::outstanding)).sum();
      if (outstanding <= 0) {
        break;
      }
      Thread.sleep(20);
    }
    long drainMs = (System.nanoTime() - drainStart) / 1_000_000;
    StepResult r = new StepResult(ratePerPaper, papers.size(), config.clientsPerPaper(), duration.toNanos() / 1e9);
    for (Shard s : shards) {
      s.call(() -> {
        r.add(s);
        return null;
      });
    }
    r.drainMs = drainMs;
    r.cpu = cpu.figures(r.deliveredInCpuWindow, "delivered");
    if (redisBefore != null) {
      r.cpu.put("redis_commandstats", RedisCommandStats.window(redisBefore, redisAfter, (cpuTo - cpuFrom) / 1e9));
    }
    r.machineStalls = stalls.figures();
    if (redisStalls != null) {
      r.redisStalls = redisStalls.figures();
    }
    return r;
  }

  int totalClients() {
    return papers.size() * config.clientsPerPaper();
  }

  @Override
  public void close() {
    for (Shard s : shards) {
      try {
        Future<?> f = s.call(() -> {
          s.stopSending();
          s.closing = true;
          List<Future<Void>> fs = new ArrayList<>();
          for (LoadClient c : s.clients) {
            fs.add(c.close());
          }
          return Future.join(fs);
        });
        f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        // closing anyway
      }
    }
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // exiting anyway
    }
  }

  static void sleepUntil(long nanoTime) throws InterruptedException {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      Thread.sleep(Math.max(1, Math.min(left / 1_000_000, 200)));
    }
  }

  /** One step's figures, summed over the shards. */
  static final class StepResult {
    final double ratePerPaper;
    final int papers;
    final int clientsPerPaper;
    final double windowS;
    final Histogram latency = new Histogram(Shard.MAX_LATENCY_US, 3);
    long sent;
    long acked;
    long refused;
    long notSent;
    long skipped;
    long delivered;
    long deliveredInCpuWindow;
    long lateSends;
    long maxLagNs;
    long gaps;
    long reordered;
    long duplicates;
    long resnapshots;
    long exceptions;
    long lostClients;
    long unparsable;
    long drainMs;
    final Map<String, Long> errors = new TreeMap<>();
    final Map<String, Long> closes = new TreeMap<>();
    long[] secDelivered;
    long[] secMaxLatencyUs;
    long[] secMaxLagUs;
    Map<String, Object> cpu;
    Map<String, Object> machineStalls;
    Map<String, Object> redisStalls;

    StepResult(double ratePerPaper, int papers, int clientsPerPaper, double windowS) {
      this.ratePerPaper = ratePerPaper;
      this.papers = papers;
      this.clientsPerPaper = clientsPerPaper;
      this.windowS = windowS;
    }

    void add(Shard s) {
      latency.add(s.latency);
      sent += s.sent;
      acked += s.acked;
      refused += s.refused;
      notSent += s.notSent;
      skipped += s.skipped;
      delivered += s.delivered;
      deliveredInCpuWindow += s.deliveredInCpuWindow;
      lateSends += s.lateSends;
      maxLagNs = Math.max(maxLagNs, s.maxLagNs);
      gaps += s.gaps;
      reordered += s.reordered;
      duplicates += s.duplicates;
      resnapshots += s.resnapshots;
      exceptions += s.exceptions;
      lostClients += s.lostClients;
      unparsable += s.unparsable;
      s.errors.forEach((k, v) -> errors.merge(k, v, Long::sum));
      if (secDelivered == null) {
        secDelivered = new long[s.secDelivered.length];
        secMaxLatencyUs = new long[s.secDelivered.length];
        secMaxLagUs = new long[s.secDelivered.length];
      }
      for (int i = 0; i < secDelivered.length && i < s.secDelivered.length; i++) {
        secDelivered[i] += s.secDelivered[i];
        secMaxLatencyUs[i] = Math.max(secMaxLatencyUs[i], s.secMaxLatencyUs[i]);
        secMaxLagUs[i] = Math.max(secMaxLagUs[i], s.secMaxLagUs[i]);
      }
      s.closes.forEach((k, v) -> closes.merge(k, v, Long::sum));
    }

    double deliveredPerSecond() {
      return delivered / windowS;
    }

    double p99Ms() {
      return latency.getValueAtPercentile(99) / 1000.0;
    }

    long errorCount() {
      return errors.values().stream().mapToLong(Long::longValue).sum()
          + closes.values().stream().mapToLong(Long::longValue).sum() + lostClients;
    }

    long unacked() {
      return sent - acked - refused;
    }
  }
}
