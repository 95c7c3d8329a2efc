package io.rollingpaper.loadgen;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * N sessions that join, receive their snapshot and then stay silent (the protocol asks nothing of an idle
 * client: no heartbeat). Reports the node's memory per connection and its CPU while they sit idle.
 */
@Command(name = "idle", mixinStandardHelpOptions = true,
    description = "Opens N WebSocket sessions spread over P papers (each joins and receives its snapshot, then stays "
        + "silent), then reports the node's memory per connection (RSS, and live heap after a full GC through jcmd) "
        + "and its CPU while they sit idle.")
final class IdleCommand implements Callable<Integer> {
  static final long TARGET_CONNECTIONS = 50_000;
  static final long TARGET_BYTES_PER_CONNECTION = 5_000;
  static final double TARGET_IDLE_CPU_PCT = 5.0;

  @Mixin
  ConnectionOptions connection;

  /** The node's process id (the first of --pids), or null: its RSS, heap and CPU are read. */
  private String pid;

  @Option(names = {"-n", "--connections"}, defaultValue = "1000", description = "Sessions to open (default: ${DEFAULT-VALUE}).")
  int connections;

  @Option(names = "--papers", defaultValue = "500", description = "Papers the sessions are spread over (default: ${DEFAULT-VALUE}).")
  int papers;

  @Option(names = "--concurrency", defaultValue = "200", description = "Joins in flight at most (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--connect-rate", defaultValue = "2000", description = "Joins started per second at most; 0: no limit (default: ${DEFAULT-VALUE}).")
  double connectRate;

  @Option(names = "--join-timeout", defaultValue = "30s", description = "Time one join may take to its snapshot (default: ${DEFAULT-VALUE}).")
  Duration joinTimeout;

  @Option(names = "--settle", defaultValue = "10s",
      description = "Wait after the last join before the memory reading (default: ${DEFAULT-VALUE}).")
  Duration settle;

  @Option(names = "--idle-window", defaultValue = "30s", description = "Window over which idle CPU is measured (default: ${DEFAULT-VALUE}).")
  Duration idleWindow;

  @Option(names = "--gc", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Before each memory reading, force a full GC with `jcmd PID GC.class_histogram`: gives the live heap "
          + "and what grew, by class (default: ${DEFAULT-VALUE}).")
  boolean fullGc;

  @Option(names = "--jcmd", description = "The jcmd program (default: the one of this JVM, else on the PATH).")
  String jcmd;

  @Option(names = "--top-classes", defaultValue = "12", description = "Classes listed by live-heap growth per connection (default: ${DEFAULT-VALUE}).")
  int topClasses;

  @Option(names = "--compression", negatable = true, defaultValue = "false", fallbackValue = "true",
      description = "Offer permessage-deflate, as browsers do: the server then keeps a compressor per session "
          + "(default: ${DEFAULT-VALUE}).")
  boolean compression;

  @Spec
  CommandSpec spec;

  private final Histogram joinLatency = new ConcurrentHistogram(Shard.MAX_LATENCY_US, 3);
  private final AtomicLong joined = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger finished = new AtomicInteger();
  private final LongAdder presenceFrames = new LongAdder();
  private final LongAdder otherFrames = new LongAdder();
  private final LongAdder lost = new LongAdder();
  private final LongAdder exceptions = new LongAdder();
  private final Map<String, Long> failures = new TreeMap<>();
  private final Map<String, Long> closes = new TreeMap<>();
  private final CompletableFuture<Void> allFinished = new CompletableFuture<>();
  private volatile boolean closing;
  private ClientWebSocket[] sockets;

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

  @Override
  public Integer call() throws Exception {
    if (connections < 1 || papers < 1 || concurrency < 1 || connection.eventLoops < 1 || connectRate < 0) {
      throw new IllegalArgumentException("--connections, --papers, --concurrency and --event-loops must be at least 1, "
          + "--connect-rate not negative");
    }
    if (connection.pids.size() > 1) {
      throw new IllegalArgumentException("idle reads one node: give --pid once");
    }
    pid = connection.pids.isEmpty() ? null : connection.pids.get(0);
    String base = connection.singleOursUrl("idle");
    String httpBase = "http" + base.substring(2);
    List<String> locals = connection.expandedLocalAddresses();
    String jcmdProgram = jcmd != null ? jcmd : NodeMemory.jcmdPath();
    Map<String, Object> limits = preflight(locals);
    long perAddress = (connections + Math.max(1, locals.size()) - 1) / Math.max(1, locals.size());
    long perPaper = (connections + papers - 1) / papers;
    System.out.printf("idle: %d sessions on %d papers (up to %d per paper), %d per source address %s%n", connections,
        papers, perPaper, perAddress, locals.isEmpty() ? "(default source)" : locals.size() == 1 ? locals.get(0)
            : locals.get(0) + ".." + locals.get(locals.size() - 1));
    System.out.printf("  the node must allow %d per address (MAX_CONNECTIONS_PER_ADDRESS) and %d per paper "
        + "(MAX_CONNECTIONS_PER_PAPER)%n", perAddress, perPaper);

    String run = Long.toString(ThreadLocalRandom.current().nextLong(1L << 30, 1L << 31), 36);
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("scenario", "idle");
    summary.put("command", "java -jar rolling-paper-loadgen.jar " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
    summary.put("machine", Report.machine());
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("url", base);
    config.put("connections", connections);
    config.put("papers", papers);
    config.put("paper_prefix", "idle-" + run + "-");
    config.put("max_sessions_per_paper", perPaper);
    config.put("local_addresses", locals);
    config.put("max_sockets_per_source_address", perAddress);
    config.put("concurrency", concurrency);
    config.put("connect_rate_per_s", connectRate);
    config.put("join_timeout_s", joinTimeout.toMillis() / 1000.0);
    config.put("settle_s", settle.toMillis() / 1000.0);
    config.put("idle_window_s", idleWindow.toMillis() / 1000.0);
    config.put("per_message_compression_offered", compression);
    config.put("full_gc_before_readings", fullGc);
    config.put("pid", pid);
    if (pid != null) {
      Map<String, Object> node = new LinkedHashMap<>();
      node.put("process", ProcStat.describe(pid));
      node.put("jvm_options", jvmOptions(pid));
      config.put("node", node);
    }
    config.put("limits", limits);
    summary.put("config", config);

    Vertx vertx = Vertx.builder().with(new VertxOptions().setPreferNativeTransport(connection.nativeTransport)
        .setEventLoopPoolSize(connection.eventLoops).setWorkerPoolSize(1)
        .setBlockedThreadCheckInterval(10).setBlockedThreadCheckIntervalUnit(TimeUnit.SECONDS)).build();
    // Held until the end: Vert.x closes the connections of a collected client.
    List<WebSocketClient> wsClients = new ArrayList<>();
    for (String local : locals.isEmpty() ? java.util.Collections.<String>singletonList(null) : locals) {
      WebSocketClientOptions o = new WebSocketClientOptions().setMaxConnections(connections + 16)
          .setMaxMessageSize(64 * 1024 * 1024).setMaxFrameSize(1024 * 1024).setTcpNoDelay(true)
          .setConnectTimeout((int) joinTimeout.toMillis()).setTryUsePerMessageCompression(compression);
      if (local != null) {
        o.setLocalAddress(local);
      }
      wsClients.add(vertx.createWebSocketClient(o));
    }
    List<Context> contexts = new ArrayList<>();
    for (int i = 0; i < connection.eventLoops; i++) {
      contexts.add(vertx.getOrCreateContext());
    }
    sockets = new ClientWebSocket[connections];
    Map<String, Object> result = new LinkedHashMap<>();
    int exit = 0;
    try {
      // 1. Before: the node's memory and its own count of sessions.
      Map<String, Double> metricsBefore = scrape(httpBase);
      NodeMemory.Reading before = pid == null ? null : NodeMemory.read(pid, fullGc, jcmdProgram);
      if (before != null) {
        System.out.println("  node before: " + describe(before));
      }

      // 2. The joins, at most --concurrency in flight and --connect-rate per second.
      long t0 = System.nanoTime();
      startJoins(contexts, wsClients, base, run);
      long lastPrint = System.nanoTime();
      while (!allFinished.isDone()) {
        try {
          allFinished.get(1, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          if (System.nanoTime() - lastPrint > 5_000_000_000L) {
            lastPrint = System.nanoTime();
            System.out.printf("  ... %d joined, %d failed, %d in flight (%.0f s)%n", joined.get(), failed.get(),
                inFlight.get(), (lastPrint - t0) / 1e9);
          }
        }
      }
      double connectS = (System.nanoTime() - t0) / 1e9;
      long ok = joined.get();
      System.out.printf("  %d joined, %d failed in %.1f s (%.0f joins/s); join -> snapshot %s%n", ok, failed.get(), connectS,
          ok / connectS, Report.latencyLine(joinLatency));
      Map<String, Object> connect = new LinkedHashMap<>();
      connect.put("requested", connections);
      connect.put("joined", ok);
      connect.put("failed", failed.get());
      synchronized (failures) {
        connect.put("failures", new TreeMap<>(failures));
        if (!failures.isEmpty()) {
          System.out.println("  failures " + failures + hint());
        }
      }
      connect.put("duration_s", CpuMeter.round(connectS, 2));
      connect.put("joins_per_s", CpuMeter.round(ok / connectS, 1));
      connect.put("join_to_snapshot", Report.latency(joinLatency));
      result.put("connect", connect);

      // 3. Settle (presence of the last joiners, the node's periodic round), then the memory reading.
      NodeMemory.sleep(settle.toMillis());
      Map<String, Double> metricsAfter = scrape(httpBase);
      long framesBeforeReading = presenceFrames.sum() + otherFrames.sum();
      NodeMemory.Reading after = pid == null ? null : NodeMemory.read(pid, fullGc, jcmdProgram);
      long open = countOpen();
      Map<String, Object> nodeCount = new LinkedHashMap<>();
      nodeCount.put("rpl_connections_before", metricsBefore.get("rpl_connections"));
      nodeCount.put("rpl_connections_after", metricsAfter.get("rpl_connections"));
      nodeCount.put("rpl_papers_after", metricsAfter.get("rpl_papers"));
      nodeCount.put("open_at_reading_as_seen_by_loadgen", open);
      result.put("sessions", nodeCount);
      System.out.printf("  sessions: node reports %s (was %s) on %s papers; %d open here%n",
          fmt(metricsAfter.get("rpl_connections")), fmt(metricsBefore.get("rpl_connections")),
          fmt(metricsAfter.get("rpl_papers")), open);
      if (after != null) {
        System.out.println("  node after:  " + describe(after));
        result.put("memory", memory(before, after, open, topClasses));
      }

      // 4. Idle: everyone connected and silent; the node's CPU over the window.
      NodeMemory.sleep(2000); // past the forced GC
      long framesAtStart = presenceFrames.sum() + otherFrames.sum();
      long lostAtStart = lost.sum();
      CpuMeter cpu = new CpuMeter(pid == null ? List.of() : List.of(pid), connection.clockTicks);
      cpu.start();
      System.out.printf("  idle window %s ...%n", DurationConverter.format(idleWindow));
      NodeMemory.sleep(idleWindow.toMillis());
      Map<String, Object> cpuFigures = cpu.stop(open, "connections");
      long framesInWindow = presenceFrames.sum() + otherFrames.sum() - framesAtStart;
      Map<String, Object> idle = new LinkedHashMap<>();
      idle.put("window_s", cpuFigures.get("window_s"));
      idle.put("node_cpu_pct_of_core", cpuFigures.get("server_cpu_pct_of_core"));
      idle.put("frames_received_in_window", framesInWindow);
      idle.put("sessions_lost_in_window", lost.sum() - lostAtStart);
      if (pid != null) {
        idle.put("node_rss_bytes_at_window_end", NodeMemory.orNull(NodeMemory.status(pid).getOrDefault("VmRSS", -1L)));
      }
      idle.put("cpu", cpuFigures);
      result.put("idle", idle);
      Map<String, Object> checks = new LinkedHashMap<>();
      checks.put("frames_after_join_before_reading", framesBeforeReading);
      checks.put("presence_frames", presenceFrames.sum());
      checks.put("other_frames_after_snapshot", otherFrames.sum());
      checks.put("sessions_lost", lost.sum());
      checks.put("closes_by_code", new TreeMap<>(closes));
      checks.put("socket_exceptions", exceptions.sum());
      long openAtEnd = countOpen();
      checks.put("open_at_end", openAtEnd);
      result.put("checks", checks);
      result.put("targets", targets(open, result));

      System.out.printf("  idle: %d frames received in the window, %d sessions lost, %d open at the end%n", framesInWindow,
          lost.sum() - lostAtStart, openAtEnd);
      Report.printCpu(cpuFigures, "connections");
      printSummary(open, result);
      if (ok < connections || openAtEnd < ok) {
        exit = 1;
      }
      summary.put("result", result);
      Report.write(summary, connection.out, "idle");
    } finally {
      closing = true;
      closeAll(contexts);
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    return exit;
  }

  private void startJoins(List<Context> contexts, List<WebSocketClient> clients, String base, String run) {
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

  private long countOpen() {
    long n = 0;
    for (ClientWebSocket ws : sockets) {
      if (ws != null && !ws.isClosed()) {
        n++;
      }
    }
    return n;
  }

  private void closeAll(List<Context> contexts) {
    if (sockets == null) {
      return;
    }
    List<io.vertx.core.Future<Void>> all = new ArrayList<>();
    for (int c = 0; c < contexts.size(); c++) {
      int from = c;
      io.vertx.core.Promise<Void> p = io.vertx.core.Promise.promise();
      contexts.get(c).runOnContext(v -> {
        List<io.vertx.core.Future<Void>> mine = new ArrayList<>();
        for (int i = from; i < sockets.length; i += contexts.size()) {
          ClientWebSocket ws = sockets[i];
          if (ws != null && !ws.isClosed()) {
            mine.add(ws.close((short) 1000).recover(e -> io.vertx.core.Future.succeededFuture()));
          }
        }
        io.vertx.core.Future.all(mine).onComplete(ar -> p.complete());
      });
      all.add(p.future());
    }
    try {
      io.vertx.core.Future.all(all).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("closing the sessions: " + e);
    }
  }

  /** Fails early on limits that would make the run fail half way; returns them for the summary. */
  private Map<String, Object> preflight(List<String> locals) {
    Map<String, Object> m = new LinkedHashMap<>();
    long self = NodeMemory.openFilesLimit("self");
    long selfHard = NodeMemory.openFilesHardLimit("self");
    m.put("loadgen_open_files_limit", self);
    if (self > 0 && connections + 200 > self) {
      throw new IllegalArgumentException(String.format("the load generator may open %d files (ulimit -n; hard limit %d): "
          + "raise it with `ulimit -n %d` in the shell that starts it, or open fewer connections", self, selfHard,
          connections + 1000));
    }
    if (pid != null) {
      if (!Files.isDirectory(Path.of("/proc", pid))) {
        throw new IllegalArgumentException("no process " + pid + " (--pid)");
      }
      long node = NodeMemory.openFilesLimit(pid);
      long nodeOpen = NodeMemory.openFiles(pid);
      m.put("node_open_files_limit", node);
      m.put("node_open_files_before", nodeOpen);
      if (node > 0 && nodeOpen >= 0 && nodeOpen + connections + 50 > node) {
        throw new IllegalArgumentException(String.format("the node (pid %s) may open %d files and has %d open: it cannot "
            + "hold %d more sockets; start it from a shell with a higher `ulimit -n` (it inherits the limit)", pid, node,
            nodeOpen, connections));
      }
    }
    long ports = ephemeralPorts();
    m.put("ephemeral_ports_per_source_address", ports);
    int sources = Math.max(1, locals.size());
    if (ports > 0 && (long) connections > (long) (0.97 * ports) * sources) {
      throw new IllegalArgumentException(String.format("%d sockets need more than %d source address(es): each has about %d "
          + "ephemeral ports; give --local-addresses 127.0.0.2-%d", connections, sources, ports,
          1 + (connections + (long) (0.97 * ports) - 1) / (long) (0.97 * ports)));
    }
    return m;
  }

  private static long ephemeralPorts() {
    try {
      // readAllLines, not readString: procfs reports a size that readString trusts and truncates to.
      String[] f = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+");
      return Long.parseLong(f[1]) - Long.parseLong(f[0]) + 1;
    } catch (Exception e) {
      return -1;
    }
  }

  private String hint() {
    // Connection caps are refused in-band now (an error frame rate_limited, then close 4429); older nodes
    // answered HTTP 429 before the upgrade.
    boolean rejected = failures.keySet().stream()
        .anyMatch(k -> k.startsWith("HTTP 429") || k.contains(" 4429 ") || k.contains("rate_limited"));
    return rejected ? " (4429: the node's MAX_CONNECTIONS_PER_ADDRESS or MAX_CONNECTIONS_PER_PAPER is too low)" : "";
  }

  /** The JVM options of the node's command line (-Xmx, -XX:…): they decide much of its memory. */
  private static List<String> jvmOptions(String pid) {
    List<String> out = new ArrayList<>();
    try {
      String[] args = new String(Files.readAllBytes(Path.of("/proc", pid, "cmdline"))).split("\0");
      for (String a : args) {
        if (a.startsWith("-X") || a.startsWith("-XX")) {
          out.add(a);
        }
        if (a.equals("-jar")) {
          break;
        }
      }
    } catch (Exception e) {
      // unknown
    }
    return out;
  }

  /** rpl_connections and rpl_papers from the node's /metrics, when it answers. */
  static Map<String, Double> scrape(String httpBase) {
    Map<String, Double> m = new LinkedHashMap<>();
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(httpBase + "/metrics"))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        m.putAll(parseMetrics(r.body(), "rpl_connections", "rpl_papers"));
      }
    } catch (Exception e) {
      // the target may not expose /metrics
    }
    return m;
  }

  /** The values of unlabelled Prometheus samples (summed over labels when labelled). */
  static Map<String, Double> parseMetrics(String text, String... names) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("#")) {
        continue;
      }
      for (String name : names) {
        if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
          try {
            double v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim());
            m.merge(name, v, Double::sum);
          } catch (NumberFormatException e) {
            // not a sample
          }
        }
      }
    }
    return m;
  }

  static Map<String, Object> memory(NodeMemory.Reading before, NodeMemory.Reading after, long n, int top) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sessions", n);
    m.put("before", before.describe());
    m.put("after", after.describe());
    Map<String, Object> per = new LinkedHashMap<>();
    per.put("rss_bytes", round(NodeMemory.perConnection(before.rssBytes(), after.rssBytes(), n)));
    per.put("rss_anon_bytes", round(NodeMemory.perConnection(before.rssAnonBytes(), after.rssAnonBytes(), n)));
    per.put("heap_live_bytes_after_full_gc", round(NodeMemory.perConnection(before.heapLiveBytes(), after.heapLiveBytes(), n)));
    per.put("heap_committed_bytes", round(NodeMemory.perConnection(before.heapCommittedBytes(), after.heapCommittedBytes(), n)));
    m.put("per_connection", per);
    m.put("heap_growth_by_class_per_connection", NodeMemory.classGrowth(before.classes(), after.classes(), n, top));
    return m;
  }

  private static Object round(Double v) {
    return v == null ? null : CpuMeter.round(v, 1);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> targets(long n, Map<String, Object> result) {
    Map<String, Object> t = new LinkedHashMap<>();
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("target", TARGET_CONNECTIONS);
    c.put("measured", n);
    c.put("met", n >= TARGET_CONNECTIONS);
    t.put("connections", c);
    Map<String, Object> mem = (Map<String, Object>) result.get("memory");
    Object rss = mem == null ? null : ((Map<String, Object>) mem.get("per_connection")).get("rss_bytes");
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("target_max", TARGET_BYTES_PER_CONNECTION);
    r.put("measured", rss);
    r.put("met", rss instanceof Number x ? x.doubleValue() <= TARGET_BYTES_PER_CONNECTION : null);
    t.put("rss_bytes_per_connection", r);
    Object cpu = ((Map<String, Object>) result.get("idle")).get("node_cpu_pct_of_core");
    Map<String, Object> i = new LinkedHashMap<>();
    i.put("target_below", TARGET_IDLE_CPU_PCT);
    i.put("measured", cpu);
    i.put("met", cpu instanceof Number x ? x.doubleValue() < TARGET_IDLE_CPU_PCT : null);
    t.put("idle_cpu_pct_of_core", i);
    return t;
  }

  @SuppressWarnings("unchecked")
  private void printSummary(long n, Map<String, Object> result) {
    Map<String, Object> mem = (Map<String, Object>) result.get("memory");
    if (mem != null) {
      Map<String, Object> per = (Map<String, Object>) mem.get("per_connection");
      System.out.printf("  per connection (%d sessions): RSS %s B (anonymous %s B), live heap after full GC %s B, "
          + "committed heap %s B%n", n, per.get("rss_bytes"), per.get("rss_anon_bytes"),
          per.get("heap_live_bytes_after_full_gc"), per.get("heap_committed_bytes"));
      List<Map<String, Object>> classes = (List<Map<String, Object>>) mem.get("heap_growth_by_class_per_connection");
      if (!classes.isEmpty()) {
        System.out.println("  live heap growth per connection, by class:");
        for (Map<String, Object> c : classes) {
          System.out.printf("    %8s B  %6s objects  %s%n", c.get("bytes_per_connection"), c.get("instances_per_connection"),
              c.get("class"));
        }
      }
    }
    Map<String, Object> t = (Map<String, Object>) result.get("targets");
    Map<String, Object> rss = (Map<String, Object>) t.get("rss_bytes_per_connection");
    Map<String, Object> cpu = (Map<String, Object>) t.get("idle_cpu_pct_of_core");
    Map<String, Object> conns = (Map<String, Object>) t.get("connections");
    System.out.printf("  targets: %s sessions (target %s: %s); RSS %s B per connection (target <= %s: %s); idle CPU %s%% "
        + "of a core (target < %s: %s)%n", conns.get("measured"), conns.get("target"), yes(conns.get("met")),
        rss.get("measured"), rss.get("target_max"), yes(rss.get("met")), cpu.get("measured"), cpu.get("target_below"),
        yes(cpu.get("met")));
  }

  private static String yes(Object met) {
    return met == null ? "not measured" : Boolean.TRUE.equals(met) ? "met" : "not met";
  }

  private static String describe(NodeMemory.Reading r) {
    return String.format("RSS %s, anonymous %s; live heap %s; heap used %s of %s committed", mib(r.rssBytes()),
        mib(r.rssAnonBytes()), mib(r.heapLiveBytes()), mib(r.heapUsedBytes()), mib(r.heapCommittedBytes()));
  }

  private static String mib(long bytes) {
    return bytes < 0 ? "?" : String.format("%.1f MiB", bytes / 1048576.0);
  }

  private static String fmt(Double v) {
    return v == null ? "?" : String.format("%.0f", v);
  }
}
