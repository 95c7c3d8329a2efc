package io.rollingpaper.node.support;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

import java.nio.file.Path;

/**
 * One real Redis for the single-Redis tests: a {@code redis:7} container where a Docker engine is present,
 * otherwise a {@link RedisProcess} on a free port (the process the fault and topology tests use), stopped
 * and its files deleted afterwards. The log says which.
 */
public final class RedisServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RedisServer.class);

  private final GenericContainer<?> container;
  private final RedisProcess process;
  private final Path root;

  private RedisServer(GenericContainer<?> container, RedisProcess process, Path root) {
    this.container = container;
    this.process = process;
    this.root = root;
  }

  public static RedisServer start() {
    if (dockerAvailable()) {
      GenericContainer<?> container = new GenericContainer<>("redis:7").withExposedPorts(6379);
      container.start();
      RedisServer server = new RedisServer(container, null, null);
      LOG.info("Redis fixture: Testcontainers redis:7 at {}", server.url());
      return server;
    }
    Path root = RedisProcess.tempRoot("rp-redis-");
    RedisServer server = new RedisServer(null, RedisProcess.server("redis", root), root);
    LOG.info("Redis fixture: no Docker engine; started redis-server at {}", server.url());
    return server;
  }

  public String url() {
    return container != null ? "redis://" + container.getHost() + ":" + port() : process.url();
  }

  public int port() {
    return container != null ? container.getMappedPort(6379) : process.port();
  }

  /** Kills the server (an outage). Only for a redis-server process. */
  public void kill() {
    if (process == null) {
      throw new IllegalStateException("kill is only supported for a redis-server process");
    }
    process.kill();
  }

  /** Starts the killed server again, empty (it persists nothing), on the same port: a Redis that lost its data. */
  public void startEmpty() {
    process.restart();
  }

  @Override
  public void close() {
    if (container != null) {
      container.stop();
    }
    if (process != null) {
      process.close();
      RedisProcess.deleteTree(root);
    }
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (Throwable e) {
      return false;
    }
  }
}
