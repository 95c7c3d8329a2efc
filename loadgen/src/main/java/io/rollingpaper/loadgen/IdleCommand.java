package io.rollingpaper.loadgen;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * N sessions that join, receive their snapshot and then stay silent (the protocol asks nothing of an idle
 * client: no heartbeat). Reports the node's memory per connection and its CPU while they sit idle.
 */
@Command(name = "idle", mixinStandardHelpOptions = true,
    description = "Opens N WebSocket sessions spread over P papers (each joins and receives its snapshot, then stays "
        + "silent), then reports the node's memory per connection (RSS, and live heap after a full GC through jcmd) "
        + "and its CPU while they sit idle.")
final class IdleCommand implements Callable<Integer> {
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
    Map<String, Object> limits = IdlePreflight.check(connections, pid, locals);
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
      node.put("jvm_options", IdlePreflight.jvmOptions(pid));
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
    IdleSessions sessions = new IdleSessions(connections, papers, concurrency, connectRate, joinTimeout);
    Map<String, Object> result = new LinkedHashMap<>();
    int exit = 0;
    try {
      // 1. Before: the node's memory and its own count of sessions.
      Map<String, Double> metricsBefore = IdleFigures.scrape(httpBase);
      NodeMemory.Reading before = pid == null ? null : NodeMemory.read(pid, fullGc, jcmdProgram);
      if (before != null) {
        System.out.println("  node before: " + IdleFigures.describe(before));
      }

      // 2. The joins, at most --concurrency in flight and --connect-rate per second.
      long t0 = System.nanoTime();
      sessions.start(contexts, wsClients, base, run);
      long lastPrint = System.nanoTime();
      while (!sessions.allFinished.isDone()) {
        try {
          sessions.allFinished.get(1, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          if (System.nanoTime() - lastPrint > 5_000_000_000L) {
            lastPrint = System.nanoTime();
            System.out.printf("  ... %d joined, %d failed, %d in flight (%.0f s)%n", sessions.joined.get(),
                sessions.failed.get(), sessions.inFlight.get(), (lastPrint - t0) / 1e9);
          }
        }
      }
      double connectS = (System.nanoTime() - t0) / 1e9;
      long ok = sessions.joined.get();
      System.out.printf("  %d joined, %d failed in %.1f s (%.0f joins/s); join -> snapshot %s%n", ok, sessions.failed.get(),
          connectS, ok / connectS, Report.latencyLine(sessions.joinLatency));
      Map<String, Object> connect = new LinkedHashMap<>();
      connect.put("requested", connections);
      connect.put("joined", ok);
      connect.put("failed", sessions.failed.get());
      Map<String, Long> failures = sessions.failures();
      connect.put("failures", failures);
      if (!failures.isEmpty()) {
        System.out.println("  failures " + failures + sessions.hint());
      }
      connect.put("duration_s", CpuMeter.round(connectS, 2));
      connect.put("joins_per_s", CpuMeter.round(ok / connectS, 1));
      connect.put("join_to_snapshot", Report.latency(sessions.joinLatency));
      result.put("connect", connect);

      // 3. Settle (presence of the last joiners, the node's periodic round), then the memory reading.
      NodeMemory.sleep(settle.toMillis());
      Map<String, Double> metricsAfter = IdleFigures.scrape(httpBase);
      long framesBeforeReading = sessions.frames();
      NodeMemory.Reading after = pid == null ? null : NodeMemory.read(pid, fullGc, jcmdProgram);
      long open = sessions.countOpen();
      Map<String, Object> nodeCount = new LinkedHashMap<>();
      nodeCount.put("rpl_connections_before", metricsBefore.get("rpl_connections"));
      nodeCount.put("rpl_connections_after", metricsAfter.get("rpl_connections"));
      nodeCount.put("rpl_papers_after", metricsAfter.get("rpl_papers"));
      nodeCount.put("open_at_reading_as_seen_by_loadgen", open);
      result.put("sessions", nodeCount);
      System.out.printf("  sessions: node reports %s (was %s) on %s papers; %d open here%n",
          IdleFigures.fmt(metricsAfter.get("rpl_connections")), IdleFigures.fmt(metricsBefore.get("rpl_connections")),
          IdleFigures.fmt(metricsAfter.get("rpl_papers")), open);
      if (after != null) {
        System.out.println("  node after:  " + IdleFigures.describe(after));
        result.put("memory", IdleFigures.memory(before, after, open, topClasses));
      }

      // 4. Idle: everyone connected and silent; the node's CPU over the window.
      NodeMemory.sleep(2000); // past the forced GC
      long framesAtStart = sessions.frames();
      long lostAtStart = sessions.lost.sum();
      CpuMeter cpu = new CpuMeter(pid == null ? List.of() : List.of(pid), connection.clockTicks);
      cpu.start();
      System.out.printf("  idle window %s ...%n", DurationConverter.format(idleWindow));
      NodeMemory.sleep(idleWindow.toMillis());
      Map<String, Object> cpuFigures = cpu.stop(open, "connections");
      long framesInWindow = sessions.frames() - framesAtStart;
      Map<String, Object> idle = new LinkedHashMap<>();
      idle.put("window_s", cpuFigures.get("window_s"));
      idle.put("node_cpu_pct_of_core", cpuFigures.get("server_cpu_pct_of_core"));
      idle.put("frames_received_in_window", framesInWindow);
      idle.put("sessions_lost_in_window", sessions.lost.sum() - lostAtStart);
      if (pid != null) {
        idle.put("node_rss_bytes_at_window_end", NodeMemory.orNull(NodeMemory.status(pid).getOrDefault("VmRSS", -1L)));
      }
      idle.put("cpu", cpuFigures);
      result.put("idle", idle);
      Map<String, Object> checks = new LinkedHashMap<>();
      checks.put("frames_after_join_before_reading", framesBeforeReading);
      checks.put("presence_frames", sessions.presenceFrames.sum());
      checks.put("other_frames_after_snapshot", sessions.otherFrames.sum());
      checks.put("sessions_lost", sessions.lost.sum());
      checks.put("closes_by_code", sessions.closes());
      checks.put("socket_exceptions", sessions.exceptions.sum());
      long openAtEnd = sessions.countOpen();
      checks.put("open_at_end", openAtEnd);
      result.put("checks", checks);
      result.put("targets", IdleFigures.targets(open, result));

      System.out.printf("  idle: %d frames received in the window, %d sessions lost, %d open at the end%n", framesInWindow,
          sessions.lost.sum() - lostAtStart, openAtEnd);
      Report.printCpu(cpuFigures, "connections");
      IdleFigures.printSummary(open, result);
      if (ok < connections || openAtEnd < ok) {
        exit = 1;
      }
      summary.put("result", result);
      Report.write(summary, connection.out, "idle");
    } finally {
      sessions.closeAll(contexts);
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    return exit;
  }
}
