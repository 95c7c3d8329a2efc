package io.rollingpaper.node.wire;

import io.rollingpaper.node.support.Http;
import io.rollingpaper.node.support.TestClient;
import io.rollingpaper.node.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every session's socket gets flush batching on a real node: the transport reaches the channel through
 * Vert.x's integrator tier, and a socket it could not reach (a wrapper in the way, another Vert.x) would still
 * work, only slower, so nothing but this count shows it.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class FlushBatchingTest {
  private static final String INSTALLED = "rpl_flush_batching_total{outcome=\"installed\"}";
  private static final String UNAVAILABLE = "rpl_flush_batching_total{outcome=\"unavailable\"}";

  TestNode node;

  @BeforeEach
  void start(VertxTestContext ctx) {
    TestNode.start(Map.of()).onComplete(ctx.succeeding(started -> {
      node = started;
      ctx.completeNow();
    }));
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    node.stop().onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void everyJoinedSocketHasFlushBatchingInstalled(Vertx vertx, VertxTestContext ctx) {
    Future.all(TestClient.join(vertx, node.port(), "/ws/batched?user=first"),
            TestClient.join(vertx, node.port(), "/ws/batched?user=second"))
        .compose(joined -> new Http(vertx, node.port()).get("/metrics")
            .eventually(() -> Future.all(joined.<TestClient>resultAt(0).close(), joined.<TestClient>resultAt(1).close())))
        .onComplete(ctx.succeeding(metrics -> ctx.verify(() -> {
          assertThat(value(metrics.body(), INSTALLED)).as("sockets with flush batching").isEqualTo(2);
          assertThat(value(metrics.body(), UNAVAILABLE)).as("sockets without flush batching").isEqualTo(0);
          ctx.completeNow();
        })));
  }

  /** The value of one sample line of the Prometheus text, or -1 if there is none. */
  private static double value(String text, String series) {
    Matcher line = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
    return line.find() ? Double.parseDouble(line.group(1)) : -1;
  }
}
