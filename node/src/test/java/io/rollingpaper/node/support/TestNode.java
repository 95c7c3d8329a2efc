package io.rollingpaper.node.support;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rollingpaper.node.Node;
import io.rollingpaper.node.config.NodeConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.util.HashMap;
import java.util.Map;

/** A node in its own Vert.x instance, as in its own process, on an ephemeral port. */
public final class TestNode {
  private final Vertx vertx;
  private final Node node;

  private TestNode(Vertx vertx, Node node) {
    this.vertx = vertx;
    this.node = node;
  }

  /** Starts a node; {@code env} adds to or overrides the test defaults (port 0, fast periodic checks). */
  public static Future<TestNode> start(Map<String, String> env) {
    Map<String, String> all = new HashMap<>();
    all.put("PORT", "0");
    all.put("HOST", "127.0.0.1");
    all.put("PAPER_CHECK_INTERVAL", "500ms");
    all.put("UNSUBSCRIBE_LINGER", "200ms");
    all.put("DRAIN_READY_DELAY", "10ms");
    all.put("DRAIN_CLOSE_WINDOW", "10ms");
    // Tests write in bursts far beyond a person's pace; the rate limits have tests of their own.
    all.put("AUTH_DISABLED", "true");
    all.put("WARMUP_DURATION", "0s");
    all.put("RATE_OPS_PER_SECOND", "100000");
    all.put("RATE_OPS_BURST", "100000");
    all.putAll(env);
    NodeConfig config = NodeConfig.fromEnv(all);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
    Node node = new Node(config, registry);
    return detached(vertx.deployVerticle(node).map(id -> new TestNode(vertx, node))
        .recover(error -> vertx.close().transform(ignored -> Future.failedFuture(error))));
  }

  public static Future<TestNode> memory() {
    return start(Map.of());
  }

  public static Future<TestNode> redis(String url) {
    return start(Map.of("REDIS_URL", url));
  }

  public int port() {
    return node.port();
  }

  public Node node() {
    return node;
  }

  /** Stops the node's Vert.x, then ends the test's clients of it (see {@link TestClient#forget(int)}). */
  public Future<Void> stop() {
    int port = node.port();
    return detached(vertx.close().eventually(() -> TestClient.forget(port)));
  }

  /**
   * The same outcome on a future of no context. A future of the node's own Vert.x would run the
   * test's chained callbacks on the node's event loops, which die when the node stops.
   */
  private static <T> Future<T> detached(Future<T> future) {
    Promise<T> promise = Promise.promise();
    future.onComplete(promise);
    return promise.future();
  }
}
