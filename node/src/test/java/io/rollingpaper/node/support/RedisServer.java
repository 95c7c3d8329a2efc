package io.rollingpaper.node.support;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis for tests: a {@code redis:7} container where a Docker engine is present, otherwise a
 * {@code redis-server} process started on a free port and stopped afterwards. The log says which.
 */
public final class RedisServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RedisServer.class);

  private final GenericContainer<?> container;
  private final int port;
  private Process process;

  private RedisServer(GenericContainer<?> container, int port, Process process) {
    this.container = container;
    this.port = port;
    this.process = process;
  }

  public static RedisServer start() {
    if (dockerAvailable()) {
      GenericContainer<?> container = new GenericContainer<>("redis:7").withExposedPorts(6379);
      container.start();
      RedisServer server = new RedisServer(container, container.getMappedPort(6379), null);
      LOG.info("Redis fixture: Testcontainers redis:7 at {}", server.url());
      return server;
    }
    int port = freePort();
    RedisServer server = new RedisServer(null, port, launch(port));
    LOG.info("Redis fixture: no Docker engine; started redis-server on 127.0.0.1:{}", port);
    return server;
  }

  public String url() {
    return container != null ? "redis://" + container.getHost() + ":" + port : "redis://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** Kills the server (an outage). Only for a redis-server process. */
  public void kill() {
    if (process == null) {
      throw new IllegalStateException("kill is only supported for a redis-server process");
    }
    stopProcess();
  }

  /** Starts the killed server again, empty, on the same port (a Redis that lost its data). */
  public void startEmpty() {
    process = launch(port);
  }

  @Override
  public void close() {
    if (container != null) {
      container.stop();
    }
    if (process != null) {
      stopProcess();
    }
  }

  private void stopProcess() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Process launch(int port) {
    try {
      Process process = new ProcessBuilder(List.of("redis-server", "--port", Integer.toString(port), "--bind",
          "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no"))
          .redirectErrorStream(true).start();
      CompletableFuture<Void> ready = new CompletableFuture<>();
      Thread reader = new Thread(() -> {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8))) {
          for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.contains("Ready to accept connections")) {
              ready.complete(null);
            }
          }
          ready.completeExceptionally(new IllegalStateException("redis-server exited before it was ready"));
        } catch (IOException e) {
          ready.completeExceptionally(e);
        }
      }, "redis-" + port);
      reader.setDaemon(true);
      reader.start();
      ready.get(20, TimeUnit.SECONDS);
      return process;
    } catch (Exception e) {
      throw new IllegalStateException("cannot start redis-server on port " + port
          + " (is it installed? apt-get install redis-server)", e);
    }
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (Throwable e) {
      return false;
    }
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
