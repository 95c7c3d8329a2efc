package io.rollingpaper.node.support;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} process (a server, a sentinel or a cluster node), on a free port: the one
 * Redis the fault tests and the replicated and clustered contract runs start, and the single-Redis tests'
 * {@link RedisServer} where no Docker engine is present. Each has its files in a directory of its own
 * and its output in {@code target/redis-logs/}. It can be killed with SIGKILL, paused with SIGSTOP and
 * resumed, and started again with the same arguments (so on the same port and the same files).
 */
public final class RedisProcess implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RedisProcess.class);
  /** How many of a server's arguments are its own (port, bind, dir, no persistence) before the extra ones. */
  private static final int BASE_ARGS = 13;

  private final String name;
  private final int port;
  private final Path dir;
  private List<String> command;
  private final String readyLine;
  private Process process;

  private RedisProcess(String name, int port, Path dir, List<String> command, String readyLine) {
    this.name = name;
    this.port = port;
    this.dir = dir;
    this.command = command;
    this.readyLine = readyLine;
  }

  /** A server; {@code extra} are more {@code --option value} arguments. */
  public static RedisProcess server(String name, Path root, String... extra) {
    int port = freePort();
    Path dir = directory(root, name);
    List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind",
        "127.0.0.1", "--protected-mode", "no", "--dir", dir.toString(), "--save", "", "--appendonly", "no"));
    command.addAll(List.of(extra));
    RedisProcess redis = new RedisProcess(name, port, dir, command, "Ready to accept connections");
    redis.start();
    return redis;
  }

  /** A sentinel watching {@code masterName} at {@code masterPort}, fast to decide (down after 1 s). */
  public static RedisProcess sentinel(String name, Path root, int port, String myId, String masterName, int masterPort,
                               int replicaPort, List<String> otherSentinels) {
    Path dir = directory(root, name);
    Path conf = dir.resolve("sentinel.conf");
    try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(conf))) {
      out.println("port " + port);
      out.println("bind 127.0.0.1");
      out.println("protected-mode no");
      out.println("dir " + dir);
      out.println("sentinel myid " + myId);
      out.println("sentinel monitor " + masterName + " 127.0.0.1 " + masterPort + " 2");
      out.println("sentinel down-after-milliseconds " + masterName + " 1000");
      out.println("sentinel failover-timeout " + masterName + " 3000");
      out.println("sentinel parallel-syncs " + masterName + " 1");
      // Told up front what they would otherwise learn over a few seconds of hello messages.
      out.println("sentinel known-replica " + masterName + " 127.0.0.1 " + replicaPort);
      otherSentinels.forEach(other -> out.println("sentinel known-sentinel " + masterName + " " + other));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    RedisProcess sentinel = new RedisProcess(name, port, dir, List.of("redis-server", conf.toString(), "--sentinel"),
        "+monitor master");
    sentinel.start();
    return sentinel;
  }

  /**
   * A port nothing listens on now: a sentinel's is chosen before its config is written, and tests pick
   * ports for nodes and PostgreSQL the same way.
   */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public int port() {
    return port;
  }

  public String address() {
    return "127.0.0.1:" + port;
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  public Path dir() {
    return dir;
  }

  public long pid() {
    return process.pid();
  }

  /** SIGKILL, and waits until the process is gone. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LOG.info("{} (port {}) killed with SIGKILL", name, port);
  }

  /** SIGSTOP: the process stays, its sockets stay open, nothing is answered. */
  public void pause() {
    signal("STOP");
  }

  /** SIGCONT after {@link #pause()}. */
  public void resume() {
    signal("CONT");
  }

  /** Starts the process again with the same arguments (same port, same files). */
  public void restart() {
    start();
  }

  /** Starts a server again on the same port and files, with {@code extra} arguments instead of the first ones. */
  public void restartWith(String... extra) {
    List<String> base = new ArrayList<>(command.subList(0, BASE_ARGS));
    base.addAll(List.of(extra));
    command = base;
    start();
  }

  private void signal(String signal) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
      kill.waitFor(10, TimeUnit.SECONDS);
      LOG.info("{} (port {}) sent SIG{}", name, port, signal);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void start() {
    try {
      Path logs = Path.of("target", "redis-logs");
      Files.createDirectories(logs);
      Path log = logs.resolve(name + "-" + port + ".log");
      Process started = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      CompletableFuture<Void> ready = new CompletableFuture<>();
      Thread reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(started.getInputStream(),
            StandardCharsets.UTF_8)); PrintWriter out = new PrintWriter(Files.newBufferedWriter(log,
            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND), true)) {
          for (String line = in.readLine(); line != null; line = in.readLine()) {
            out.println(line);
            if (line.contains(readyLine)) {
              ready.complete(null);
            }
          }
          ready.completeExceptionally(new IllegalStateException(name + " exited before it was ready; see " + log));
        } catch (IOException e) {
          ready.completeExceptionally(e);
        }
      }, "redis-" + name);
      reader.setDaemon(true);
      reader.start();
      ready.get(20, TimeUnit.SECONDS);
      process = started;
      LOG.info("{} ready on 127.0.0.1:{} (pid {})", name, port, started.pid());
    } catch (Exception e) {
      throw new IllegalStateException("cannot start " + name + " (is redis-server installed?)", e);
    }
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static Path directory(Path root, String name) {
    try {
      return Files.createDirectories(root.resolve(name));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A temporary root for the processes' files. */
  public static Path tempRoot(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static void deleteTree(Path root) {
    if (root == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.debug("cannot delete {}: {}", root, e.getMessage());
    }
  }
}
