package io.rollingpaper.clustertest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The processes of a local cluster, started the way scripts/cluster starts them: a private
 * redis-server, N node JVMs on 127.0.0.1 (TRUST_FORWARDED_FOR=true) and HAProxy in front, configured
 * from the root haproxy.cfg (the three bind ports, the admin socket and the server lines replaced, as
 * {@code scripts/cluster haproxy-config} does).
 * Every port is a free one; every process writes to a log file under {@code dir}. {@link #close()}
 * kills whatever is still running, and so does a JVM shutdown hook if the test JVM is stopped.
 */
final class LocalCluster implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration DRAIN_EXIT_TIMEOUT = Duration.ofSeconds(25);

  private final Path repoRoot;
  private final Path nodeJar;
  private final Path dir;
  private final int nodeCount;
  private final Map<String, String> nodeEnv;
  private final List<String> jvmOptions;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final List<Process> started = new ArrayList<>();
  private final Thread shutdownHook = new Thread(this::killAll, "local-cluster-kill");

  private int redisPort;
  private int balancerPort;
  private int statsPort;
  private int internalPort;
  private int[] nodePorts;
  private Process redis;
  private Process haproxy;
  private Process[] nodes;

  LocalCluster(Path repoRoot, Path nodeJar, Path dir, int nodeCount, Map<String, String> nodeEnv,
               List<String> jvmOptions) {
    this.repoRoot = repoRoot;
    this.nodeJar = nodeJar;
    this.dir = dir;
    this.nodeCount = nodeCount;
    this.nodeEnv = Map.copyOf(nodeEnv);
    this.jvmOptions = List.copyOf(jvmOptions);
  }

  /** Starts redis, the nodes (waits for each to be ready) and HAProxy (waits for every node UP). */
  void start() throws IOException {
    deleteRecursively(dir);
    Files.createDirectories(dir);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    int[] ports = freePorts(4 + nodeCount);
    redisPort = ports[0];
    balancerPort = ports[1];
    statsPort = ports[2];
    internalPort = ports[3];
    nodePorts = Arrays.copyOfRange(ports, 4, ports.length);
    nodes = new Process[nodeCount];

    startRedis();
    for (int i = 1; i <= nodeCount; i++) {
      nodes[i - 1] = startNode(i);
    }
    for (int i = 1; i <= nodeCount; i++) {
      awaitNodeReady(i);
    }
    startHaproxy();
    Await.until("HAProxy to mark every node UP", START_TIMEOUT, () -> {
      Map<String, String> status = haproxyServerStatus();
      return status.size() == nodeCount && status.values().stream().allMatch("UP"::equals);
    });
  }

  int balancerPort() {
    return balancerPort;
  }

  int statsPort() {
    return statsPort;
  }

  /** HAProxy's internal frontend: the HTTP API and /metrics, refused on the balancer port. */
  int internalPort() {
    return internalPort;
  }

  Path haproxyLog() {
    return dir.resolve("haproxy.log");
  }

  int nodePort(int i) {
    return nodePorts[i - 1];
  }

  int nodeCount() {
    return nodeCount;
  }

  Path dir() {
    return dir;
  }

  // ---- redis ------------------------------------------------------------------------------------

  private void startRedis() throws IOException {
    Path log = dir.resolve("redis.log");
    Path data = Files.createDirectories(dir.resolve("redis"));
    redis = launch(new ProcessBuilder("redis-server", "--port", Integer.toString(redisPort), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--dir", data.toString()), log);
    Process process = redis;
    Await.until("redis-server to accept connections", Duration.ofSeconds(15), () -> {
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server exited with " + process.exitValue() + ": " + tail(log));
      }
      return read(log).contains("Ready to accept connections");
    });
  }

  String redisUrl() {
    return "redis://127.0.0.1:" + redisPort;
  }

  // ---- nodes ------------------------------------------------------------------------------------

  private Process startNode(int i) throws IOException {
    Path log = dir.resolve("node-" + i + ".log");
    Path workDir = Files.createDirectories(dir.resolve("node-" + i));
    Files.writeString(log, "=== " + Instant.now() + " starting node-" + i + " on 127.0.0.1:" + nodePort(i) + "\n",
        StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(nodeJar.toString());
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
    Map<String, String> env = builder.environment();
    // The node reads its whole config from the environment: nothing of the caller's may leak in.
    env.keySet().removeIf(key -> key.startsWith("AUTH_") || key.startsWith("REDIS_") || key.startsWith("RATE_")
        || key.startsWith("DRAIN_") || key.equals("API_KEY") || key.equals("JAVA_OPTS"));
    // As scripts/cluster: clients come through HAProxy, which sets X-Forwarded-For.
    env.put("TRUST_FORWARDED_FOR", "true");
    env.putAll(nodeEnv);
    env.put("HOST", "127.0.0.1");
    env.put("PORT", Integer.toString(nodePort(i)));
    env.put("NODE_ID", "node-" + i);
    env.put("REDIS_URL", redisUrl());
    return launch(builder, log);
  }

  private void awaitNodeReady(int i) {
    Process process = nodes[i - 1];
    Path log = dir.resolve("node-" + i + ".log");
    Await.until("node-" + i + " to be ready", START_TIMEOUT, () -> {
      if (!process.isAlive()) {
        throw new IllegalStateException("node-" + i + " exited with " + process.exitValue() + ": " + tail(log));
      }
      return httpStatus("http://127.0.0.1:" + nodePort(i) + "/health/ready") == 200;
    });
  }

  /**
   * Restarts node i the way an orchestrator does: SIGTERM, wait for it to drain and exit, start it on
   * the same port, wait for it to be ready and for HAProxy to mark it UP again.
   *
   * @return how long the old process took to exit after SIGTERM, in ms
   */
  long restartNode(int i) throws IOException {
    Process old = nodes[i - 1];
    long t0 = System.nanoTime();
    old.destroy(); // SIGTERM
    try {
      old.onExit().get(DRAIN_EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      old.destroyForcibly();
      throw new AssertionError("node-" + i + " did not exit within " + DRAIN_EXIT_TIMEOUT.toSeconds()
          + " s of SIGTERM (drain hung); see " + dir.resolve("node-" + i + ".log"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    }
    long exitMs = (System.nanoTime() - t0) / 1_000_000;
    synchronized (started) {
      started.remove(old);
    }
    nodes[i - 1] = startNode(i);
    awaitNodeReady(i);
    Await.until("HAProxy to mark node" + i + " UP", START_TIMEOUT,
        () -> "UP".equals(haproxyServerStatus().get("node" + i)));
    return exitMs;
  }

  int exitCode(int i) {
    return nodes[i - 1].isAlive() ? -1 : nodes[i - 1].exitValue();
  }

  // ---- haproxy ----------------------------------------------------------------------------------

  private void startHaproxy() throws IOException {
    Path cfg = dir.resolve("haproxy.cfg");
    Files.writeString(cfg, renderHaproxyConfig(read(repoRoot.resolve("haproxy.cfg"))), StandardCharsets.UTF_8);
    Path checkLog = dir.resolve("haproxy-check.log");
    Process check = new ProcessBuilder("haproxy", "-c", "-f", cfg.toString())
        .redirectErrorStream(true).redirectOutput(checkLog.toFile()).start();
    int code;
    try {
      if (!check.waitFor(20, TimeUnit.SECONDS)) {
        check.destroyForcibly();
        throw new AssertionError("haproxy -c did not finish");
      }
      code = check.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    if (code != 0) {
      throw new AssertionError("haproxy -c rejects the generated " + cfg + ": " + read(checkLog));
    }
    Path log = dir.resolve("haproxy.log");
    haproxy = launch(new ProcessBuilder("haproxy", "-db", "-f", cfg.toString()), log);
  }

  /** The root haproxy.cfg with this cluster's ports: what scripts/cluster's render_haproxy does. */
  String renderHaproxyConfig(String template) {
    StringBuilder out = new StringBuilder("# Generated by cluster-test from haproxy.cfg. Do not edit.\n");
    String section = "";
    boolean skipping = false;
    boolean seenPublic = false;
    boolean seenStats = false;
    boolean seenInternal = false;
    boolean seenSocket = false;
    boolean seenNodes = false;
    for (String line : template.split("\n", -1)) {
      if (!line.isEmpty() && Character.isLowerCase(line.charAt(0))) {
        String[] words = line.trim().split("\\s+");
        section = words.length > 1 ? words[0] + " " + words[1] : words[0];
      }
      String first = line.trim().split("\\s+")[0];
      if (section.equals("global") && line.trim().startsWith("stats socket ")) {
        out.append(line.replaceFirst("stats socket \\S+",
            java.util.regex.Matcher.quoteReplacement("stats socket " + dir.resolve("haproxy.sock")))).append('\n');
        seenSocket = true;
        continue;
      }
      if (section.equals("frontend internal") && first.equals("bind")) {
        out.append("    bind 127.0.0.1:").append(internalPort).append('\n');
        seenInternal = true;
        continue;
      }
      if (section.equals("frontend public") && first.equals("bind")) {
        out.append("    bind 127.0.0.1:").append(balancerPort).append('\n');
        seenPublic = true;
        continue;
      }
      if (section.equals("frontend stats") && first.equals("bind")) {
        out.append("    bind 127.0.0.1:").append(statsPort).append('\n');
        seenStats = true;
        continue;
      }
      if (line.contains("# BEGIN nodes")) {
        out.append(line).append('\n');
        for (int i = 1; i <= nodeCount; i++) {
          out.append("    server node").append(i).append(" 127.0.0.1:").append(nodePort(i)).append('\n');
        }
        seenNodes = true;
        skipping = true;
        continue;
      }
      if (line.contains("# END nodes")) {
        skipping = false;
      }
      if (!skipping) {
        out.append(line).append('\n');
      }
    }
    if (!seenPublic || !seenStats || !seenInternal || !seenSocket || !seenNodes) {
      throw new IllegalStateException("haproxy.cfg lacks a bind line, the stats socket or the BEGIN/END nodes markers");
    }
    return out.toString();
  }

  /** nodeI -> status (UP, DOWN, MAINT, ...) from HAProxy's stats CSV; empty if HAProxy does not answer. */
  Map<String, String> haproxyServerStatus() {
    Map<String, String> status = new HashMap<>();
    String csv;
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + statsPort + "/;csv")).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return status;
      }
      csv = response.body();
    } catch (IOException e) {
      return status;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return status;
    }
    String[] lines = csv.split("\n");
    if (lines.length == 0 || !lines[0].startsWith("# ")) {
      return status;
    }
    List<String> header = Arrays.asList(lines[0].substring(2).split(",", -1));
    int px = header.indexOf("pxname");
    int sv = header.indexOf("svname");
    int st = header.indexOf("status");
    for (int k = 1; k < lines.length; k++) {
      String[] cols = lines[k].split(",", -1);
      if (cols.length > st && cols[px].equals("nodes") && cols[sv].matches("node\\d+")) {
        status.put(cols[sv], cols[st]);
      }
    }
    return status;
  }

  // ---- HTTP -------------------------------------------------------------------------------------

  int httpStatus(String url) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  String httpGet(String url) {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new AssertionError("GET " + url + " answered " + response.statusCode() + ": " + response.body());
      }
      return response.body();
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + url, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  // ---- processes --------------------------------------------------------------------------------

  private Process launch(ProcessBuilder builder, Path log) throws IOException {
    builder.redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process process = builder.start();
    synchronized (started) {
      started.add(process);
    }
    return process;
  }

  /** Kills every process this cluster started that still runs (SIGKILL: nothing to drain at the end). */
  @Override
  public void close() {
    killAll();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException | IllegalArgumentException ignored) {
      // The JVM is shutting down already, or the hook was never added.
    }
  }

  private void killAll() {
    List<Process> all;
    synchronized (started) {
      all = new ArrayList<>(started);
      started.clear();
    }
    all.forEach(Process::destroyForcibly);
    for (Process process : all) {
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  // ---- helpers ----------------------------------------------------------------------------------

  /** Distinct ports nobody listens on: all bound at once, so they differ, then released. */
  private static int[] freePorts(int count) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int k = 0; k < count; k++) {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
        sockets.add(socket);
      }
      return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
  }

  /** Logs of an earlier run would mix with this run's. */
  static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (java.util.stream.Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String tail(Path file) {
    String[] lines = read(file).split("\n");
    return String.join("\n", Arrays.asList(lines).subList(Math.max(0, lines.length - 20), lines.length));
  }
}
