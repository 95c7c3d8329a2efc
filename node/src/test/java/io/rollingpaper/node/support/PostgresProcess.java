package io.rollingpaper.node.support;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private PostgreSQL server for the archive's tests: {@code initdb} into a temporary directory and
 * {@code postgres} on a free loopback port, trust auth for user {@code rpl}, fsync off because the tests
 * never survive a power cut (but commits are written before they answer: tests SIGKILL the server). {@code initdb} refuses to run as
 * root, so as root (CI) every binary runs as the {@code postgres} user through {@code setpriv}, which
 * execs in place: the child process is the postmaster itself, so {@link #kill()} kills the server.
 * Binaries come from PATH or Debian's {@code /usr/lib/postgresql/<version>/bin}.
 */
public final class PostgresProcess implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresProcess.class);
  public static final String USER = "rpl";

  private final Path bin;
  private final Path root;
  private final int port;
  private Process process;

  private PostgresProcess(Path bin, Path root, int port) {
    this.bin = bin;
    this.root = root;
    this.port = port;
  }

  /** initdb and start; fails the test run if PostgreSQL is not installed (`.ci/run` installs it). */
  public static PostgresProcess start() {
    Path bin = binaries();
    try {
      Path root = Files.createTempDirectory("rpl-pg-");
      PostgresProcess pg = new PostgresProcess(bin, root, RedisProcess.freePort());
      if (asRoot()) {
        run(List.of("chown", "-R", "postgres:postgres", root.toString()));
      }
      pg.runAs(List.of(bin.resolve("initdb").toString(), "-D", pg.data().toString(), "-U", USER, "--auth=trust",
          "-E", "UTF8", "--no-sync", "--no-instructions"));
      pg.launch();
      Runtime.getRuntime().addShutdownHook(new Thread(pg::close));
      return pg;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code postgresql://rpl@127.0.0.1:<port>/<database>}. */
  public String url(String database) {
    return "postgresql://" + USER + "@127.0.0.1:" + port + "/" + database;
  }

  public int port() {
    return port;
  }

  /** A new empty database, so a test class starts from nothing without a server of its own. */
  public String createDatabase(String name) {
    psql("postgres", "CREATE DATABASE " + name);
    return url(name);
  }

  /** Runs SQL with psql (blocking: test threads only). */
  public void psql(String database, String sql) {
    runAs(List.of(bin.resolve("psql").toString(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
        "-p", Integer.toString(port), "-U", USER, "-d", database, "-c", sql));
  }

  /** SIGKILL, and waits until the postmaster is gone (its backends exit when they notice). */
  public void kill() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      waitFor(process);
      LOG.info("PostgreSQL on port {} killed with SIGKILL", port);
    }
  }

  /** Starts the server again on the same port and data (after {@link #kill()}). */
  public void restart() {
    kill();
    launch();
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      // SIGINT is PostgreSQL's fast shutdown: it does not wait for pooled clients to disconnect.
      run(List.of("kill", "-INT", Long.toString(process.pid())));
      if (!waitFor(process)) {
        process.destroyForcibly();
        waitFor(process);
      }
    }
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temp directory left behind is harmless
    }
  }

  private Path data() {
    return root.resolve("data");
  }

  private void launch() {
    List<String> command = asUser(List.of(bin.resolve("postgres").toString(), "-D", data().toString(),
        "-p", Integer.toString(port), "-k", root.toString(), "-c", "listen_addresses=127.0.0.1",
        // fsync off is safe for a test server (the OS keeps what was written); synchronous_commit stays on,
        // since a commit still in the WAL buffers dies with a SIGKILLed server, and tests kill it.
        "-c", "fsync=off", "-c", "full_page_writes=off",
        "-c", "max_connections=200", "-c", "log_min_messages=warning", "-c", "logging_collector=off"));
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start postgres: " + e.getMessage(), e);
    }
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          if (line.contains("ready to accept connections")) {
            ready.complete(null);
          } else if (line.contains("FATAL") || line.contains("ERROR")) {
            LOG.warn("postgres:{}: {}", port, line);
          }
        }
      } catch (IOException ignored) {
        // the process ended
      }
      ready.completeExceptionally(new IllegalStateException("postgres on port " + port + " exited before it was ready"));
    }, "postgres-" + port);
    reader.setDaemon(true);
    reader.start();
    try {
      ready.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      process.destroyForcibly();
      throw new IllegalStateException("postgres did not start on port " + port, e);
    }
    LOG.info("PostgreSQL {} on 127.0.0.1:{} (data in {})", bin, port, root);
  }

  private void runAs(List<String> command) {
    run(asUser(command));
  }

  private static List<String> asUser(List<String> command) {
    if (!asRoot()) {
      return command;
    }
    List<String> wrapped = new ArrayList<>(List.of("setpriv", "--reuid=postgres", "--regid=postgres",
        "--init-groups", "--"));
    wrapped.addAll(command);
    return wrapped;
  }

  private static void run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static boolean waitFor(Process p) {
    try {
      return p.waitFor(15, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static boolean asRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static Path binaries() {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Paths.get(dir, "initdb")) && Files.isExecutable(Paths.get(dir, "postgres"))) {
        try {
          return Paths.get(dir, "initdb").toRealPath().getParent();
        } catch (IOException ignored) {
          // a dangling link: keep looking
        }
      }
    }
    try (Stream<Path> versions = Files.list(Paths.get("/usr/lib/postgresql"))) {
      return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max(Comparator.naturalOrder())
          .orElseThrow(() -> new IllegalStateException("no initdb in /usr/lib/postgresql/*/bin"));
    } catch (IOException e) {
      throw new IllegalStateException("PostgreSQL is not installed (initdb not on PATH nor in /usr/lib/postgresql): "
          + "apt-get install postgresql", e);
    }
  }
}
