package io.rollingpaper.clustertest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local cluster run by {@code scripts/cluster} itself (up, scale, status, down) in a directory of its
 * own (CLUSTER_DIR), on a free block of ports: what an operator does, driven by the test. The nodes get
 * {@code nodeEnv} and {@code JAVA_OPTS} through the environment, as the script documents. HAProxy's
 * Runtime API (the script's admin socket) tells which server holds each client connection.
 */
final class ScriptCluster implements AutoCloseable {
  private static final Pattern SESSION = Pattern.compile("src=127\\.0\\.0\\.1:(\\d+) fe=public be=nodes srv=(node\\d+)");

  private final Path repoRoot;
  private final Path dir;
  private final Map<String, String> env;
  private final Thread shutdownHook = new Thread(this::down, "script-cluster-down");
  private int basePort;

  ScriptCluster(Path repoRoot, Path nodeJar, Path dir, Map<String, String> nodeEnv, String javaOpts) {
    this.repoRoot = repoRoot;
    this.dir = dir;
    Map<String, String> all = new HashMap<>(nodeEnv);
    all.put("CLUSTER_DIR", dir.toString());
    all.put("NODE_JAR", nodeJar.toString());
    all.put("JAVA_OPTS", javaOpts);
    this.env = Map.copyOf(all);
  }

  /** {@code scripts/cluster up --nodes n} on a free block of ports. */
  void up(int nodes, int maxNodes) throws IOException {
    LocalCluster.deleteRecursively(dir);
    Files.createDirectories(dir);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    // Balancer, node ports up to maxNodes, then stats and internal: a block nothing listens on.
    basePort = freeBlock(maxNodes + 3);
    run(600, "up", "--nodes", Integer.toString(nodes), "--port", Integer.toString(basePort),
        "--stats-port", Integer.toString(basePort + maxNodes + 1),
        "--internal-port", Integer.toString(basePort + maxNodes + 2));
  }

  /** {@code scripts/cluster scale n}; returns its output. */
  String scale(int nodes) {
    return run(300, "scale", Integer.toString(nodes));
  }

  String status() {
    return run(60, "status");
  }

  int balancerPort() {
    return basePort;
  }

  int statsPort() {
    return Integer.parseInt(state().getProperty("STATS_PORT"));
  }

  int internalPort() {
    return Integer.parseInt(state().getProperty("INTERNAL_PORT"));
  }

  int nodeCount() {
    return Integer.parseInt(state().getProperty("NODES"));
  }

  int nodePort(int i) {
    String[] ports = state().getProperty("NODE_PORTS").replace("\"", "").trim().split("\\s+");
    return Integer.parseInt(ports[i - 1]);
  }

  Path dir() {
    return dir;
  }

  /** The server (node1, node2, ...) of every public connection, by the client's local port. */
  Map<Integer, String> serverByClientPort() {
    Map<Integer, String> servers = new HashMap<>();
    Matcher m = SESSION.matcher(haproxyApi("show sess"));
    while (m.find()) {
      servers.put(Integer.parseInt(m.group(1)), m.group(2));
    }
    return servers;
  }

  /** One command to HAProxy's Runtime API over the cluster's admin socket. */
  String haproxyApi(String command) {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(dir.resolve("haproxy.sock")));
      channel.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8)));
      ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
      StringBuilder answer = new StringBuilder();
      while (channel.read(buffer) >= 0) {
        buffer.flip();
        answer.append(StandardCharsets.UTF_8.decode(buffer));
        buffer.clear();
      }
      return answer.toString();
    } catch (IOException e) {
      throw new UncheckedIOException("HAProxy Runtime API: " + command, e);
    }
  }

  private Properties state() {
    Properties state = new Properties();
    try (var in = Files.newInputStream(dir.resolve("state"))) {
      state.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return state;
  }

  private String run(int timeoutSeconds, String... args) {
    List<String> command = new ArrayList<>(List.of("bash", repoRoot.resolve("scripts/cluster").toString()));
    command.addAll(List.of(args));
    Path output = dir.resolve("script-" + args[0] + "-" + System.nanoTime() + ".out");
    try {
      ProcessBuilder builder = new ProcessBuilder(command).directory(repoRoot.toFile()).redirectErrorStream(true)
          .redirectOutput(output.toFile());
      // The nodes read their whole config from the environment: nothing of the caller's may leak in.
      builder.environment().keySet().removeIf(key -> key.startsWith("AUTH_") || key.startsWith("REDIS_")
          || key.startsWith("RATE_") || key.startsWith("DRAIN_") || key.equals("API_KEY"));
      builder.environment().putAll(env);
      Process process = builder.start();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("scripts/cluster " + String.join(" ", args) + " did not finish in " + timeoutSeconds
            + " s: " + Files.readString(output));
      }
      String text = Files.readString(output);
      if (process.exitValue() != 0) {
        throw new AssertionError("scripts/cluster " + String.join(" ", args) + " failed (" + process.exitValue()
            + "): " + text);
      }
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** {@code scripts/cluster down}: every process the script started, and nothing else. */
  private void down() {
    if (Files.exists(dir.resolve("pids"))) {
      try {
        run(120, "down");
      } catch (RuntimeException | Error e) {
        System.err.println("scripts/cluster down: " + e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    down();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException | IllegalArgumentException ignored) {
      // The JVM is shutting down already, or the hook was never added.
    }
  }

  /** The first port of {@code count} consecutive free ones, in 30000..39999. */
  private static int freeBlock(int count) throws IOException {
    for (int attempt = 0; attempt < 200; attempt++) {
      int base = 30_000 + (int) (Math.random() * (10_000 - count));
      if (allFree(base, count)) {
        return base;
      }
    }
    throw new IOException("no block of " + count + " free ports");
  }

  private static boolean allFree(int base, int count) {
    for (int p = base; p < base + count; p++) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new java.net.InetSocketAddress("127.0.0.1", p));
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }
}
