package io.rollingpaper.browsertest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.openqa.selenium.support.ui.FluentWait;

/**
 * The server processes of the browser test: one private redis-server and node JVMs, all on
 * 127.0.0.1 and free ports, each writing its output to a log file under {@code dir}. Every process
 * started here is remembered; {@link #close()} stops them all (nodes with SIGTERM first so they
 * drain, then SIGKILL after a bounded wait), and so does a JVM shutdown hook if the test JVM is
 * stopped (e.g. by failsafe's fork time-out).
 */
final class LocalProcesses implements AutoCloseable {
  static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

  private final Path nodeJar;
  private final Path dir;
  private final Map<String, String> nodeEnv;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final List<Process> started = new ArrayList<>();
  private final Thread shutdownHook = new Thread(this::killAll, "browser-test-kill");
  private int redisPort;
  private Process redis;

  LocalProcesses(Path nodeJar, Path dir, Map<String, String> nodeEnv) {
    this.nodeJar = nodeJar;
    this.dir = dir;
    this.nodeEnv = Map.copyOf(nodeEnv);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Free TCP ports on 127.0.0.1 (held open together while choosing, so they differ). */
  static int[] freePorts(int count) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        s.setReuseAddress(true);
        sockets.add(s);
        ports[i] = s.getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket s : sockets) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing a probe socket
        }
      }
    }
  }

  String redisUrl() {
    return "redis://127.0.0.1:" + redisPort;
  }

  /**
   * Starts {@code redis-server} on a free port and waits until it logs "Ready to accept
   * connections". Its output goes to {@code redis.log}.
   */
  void startRedis() throws IOException, InterruptedException {
    redisPort = freePorts(1)[0];
    Path redisDir = Files.createDirectories(dir.resolve("redis"));
    ProcessBuilder pb = new ProcessBuilder("redis-server", "--port", String.valueOf(redisPort),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", redisDir.toString())
        .redirectErrorStream(true);
    Process p = track(pb.start());
    redis = p;
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Path log = dir.resolve("redis.log");
    Thread pump = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
           OutputStream out = Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
        String line;
        while ((line = in.readLine()) != null) {
          out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
          out.flush();
          if (line.contains("Ready to accept connections")) {
            ready.complete(null);
          }
        }
      } catch (IOException e) {
        ready.completeExceptionally(e);
      }
      ready.completeExceptionally(new IllegalStateException("redis-server exited (see " + log + ")"));
    }, "redis-output");
    pump.setDaemon(true);
    pump.start();
    try {
      ready.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("redis-server did not start (see " + log + ")", e);
    }
  }

  /**
   * Starts a node JVM ({@code java -jar rolling-paper-node.jar}) on {@code port} with the common
   * settings, {@code REDIS_URL} of the private redis and {@code NODE_ID=name}, in its own working
   * directory; its output is appended to {@code name.log} (a restarted node appends to the same
   * file). Does not wait: see {@link #awaitReady}.
   */
  Process startNode(String name, int port) throws IOException {
    return startNode(name, port, Map.of());
  }

  /**
   * As {@link #startNode(String, int)}, with {@code extraEnv} added to the common settings; without
   * {@link #startRedis()} first, the node keeps its papers in memory (no {@code REDIS_URL}).
   */
  Process startNode(String name, int port, Map<String, String> extraEnv) throws IOException {
    Path workDir = Files.createDirectories(dir.resolve(name));
    Path log = dir.resolve(name + ".log");
    Files.writeString(log, "=== " + Instant.now() + " starting " + name + " on 127.0.0.1:" + port + "\n",
        StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar",
        nodeJar.toString())
        .directory(workDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Map<String, String> env = pb.environment();
    env.putAll(nodeEnv);
    env.putAll(extraEnv);
    env.put("HOST", "127.0.0.1");
    env.put("PORT", String.valueOf(port));
    env.put("NODE_ID", name);
    if (redis != null) {
      env.put("REDIS_URL", redisUrl());
    }
    return track(pb.start());
  }

  /** Waits (bounded) until {@code GET /health/ready} of the node answers 200. */
  void awaitReady(String name, Process node, int port) {
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
        .timeout(Duration.ofSeconds(2)).build();
    new FluentWait<>(node)
        .withTimeout(START_TIMEOUT)
        .pollingEvery(Duration.ofMillis(200))
        .withMessage(() -> name + " not ready on port " + port + " (see " + dir.resolve(name + ".log") + ")")
        .until(p -> {
          if (!p.isAlive()) {
            throw new IllegalStateException(name + " exited with " + p.exitValue() + " during start-up (see "
                + dir.resolve(name + ".log") + ")");
          }
          try {
            return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
          } catch (IOException e) {
            return false;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
        });
  }

  /** SIGTERM (the node drains), then SIGKILL if it is still running after {@code timeout}. */
  static void stop(Process p, Duration timeout) {
    if (p == null || !p.isAlive()) {
      return;
    }
    p.destroy();
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private synchronized Process track(Process p) {
    started.add(p);
    return p;
  }

  /**
   * Stops every process started here: the nodes first, all at once with SIGTERM so they drain in
   * parallel (SIGKILL after {@link #STOP_TIMEOUT}), then redis-server.
   */
  @Override
  public void close() {
    List<Process> all;
    synchronized (this) {
      all = new ArrayList<>(started);
    }
    List<Process> nodes = all.stream().filter(p -> p != redis).toList();
    for (Process p : nodes) {
      if (p.isAlive()) {
        p.destroy();
      }
    }
    for (Process p : nodes) {
      stop(p, STOP_TIMEOUT);
    }
    stop(redis, STOP_TIMEOUT);
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException ignored) {
      // the JVM is shutting down already: the hook runs anyway
    }
  }

  private void killAll() {
    List<Process> all;
    synchronized (this) {
      all = new ArrayList<>(started);
    }
    for (Process p : all) {
      p.destroyForcibly();
    }
  }
}
