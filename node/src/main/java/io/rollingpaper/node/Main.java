package io.rollingpaper.node;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rollingpaper.node.config.ConfigException;
import io.rollingpaper.node.config.NodeConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Starts a node from environment variables; on SIGTERM it drains before the JVM exits. */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) {
    NodeConfig config;
    try {
      config = NodeConfig.fromEnv(System.getenv());
    } catch (ConfigException e) {
      LOG.error("{}", e.getMessage());
      System.exit(2);
      return;
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = Vertx.builder()
        // Native epoll when its library is on the class path (fewer system calls and less garbage than NIO);
        // NIO otherwise.
        .with(new VertxOptions().setPreferNativeTransport(true)
            .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
    LOG.info("node={} transport: {}", config.nodeId(), vertx.isNativeTransportEnabled() ? "native" : "NIO");
    Node node = new Node(config, registry);
    vertx.deployVerticle(node).onFailure(error -> {
      LOG.error("node={} failed to start: {}", config.nodeId(), error.getMessage());
      vertx.close().onComplete(ignored -> System.exit(1));
    }).onSuccess(id -> Runtime.getRuntime().addShutdownHook(new Thread(() -> drainThenClose(vertx, node, config))));
  }

  /** Runs on the JVM's shutdown thread, never on an event loop, so waiting here blocks nothing. */
  private static void drainThenClose(Vertx vertx, Node node, NodeConfig config) {
    CountDownLatch closed = new CountDownLatch(1);
    node.drain()
        .eventually(vertx::close)
        .onComplete(result -> closed.countDown());
    long budget = config.drain().total().toMillis() + 5000;
    try {
      if (!closed.await(budget, TimeUnit.MILLISECONDS)) {
        LOG.warn("node={} drain did not finish in {} ms; exiting anyway", config.nodeId(), budget);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LOG.info("node={} stopped", config.nodeId());
  }
}
