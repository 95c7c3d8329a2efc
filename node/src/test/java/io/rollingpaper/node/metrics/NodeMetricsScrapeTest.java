package io.rollingpaper.node.metrics;

import io.rollingpaper.node.support.Http;
import io.rollingpaper.node.support.Poll;
import io.rollingpaper.node.support.TestClient;
import io.rollingpaper.node.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
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

import static io.rollingpaper.node.support.TestClient.put;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * After real traffic on a real node — fresh joins, a resume, a resume that falls back to a snapshot, a client
 * that stops reading while others write and signal — {@code /metrics} has every series README's metrics
 * table lists, with the values that traffic implies.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class NodeMetricsScrapeTest {
  private static final String NOTE_TEXT = "x".repeat(100_000);

  TestNode node;

  @BeforeEach
  void start(VertxTestContext ctx) {
    // A tiny send queue and big notes: a client that stops reading overflows after a few megabytes (what the
    // kernel's socket buffers hold), not after many.
    TestNode.start(Map.of("SEND_QUEUE_SOFT_BYTES", "1024", "SEND_QUEUE_MAX_BYTES", "2048",
            "MAX_FRAME_BYTES", "262144", "MAX_NOTE_BYTES", "131072",
            "RATE_SIGNALS_PER_SECOND", "100000", "RATE_SIGNALS_BURST", "100000"))
        .onComplete(ctx.succeeding(started -> {
          node = started;
          ctx.completeNow();
        }));
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    node.stop().onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void scrapeAfterRealTrafficHasEverySeries(Vertx vertx, VertxTestContext ctx) {
    Http http = new Http(vertx, node.port());
    TestClient.join(vertx, node.port(), "/ws/metered?user=writer").compose(writer ->
        TestClient.join(vertx, node.port(), "/ws/metered?user=sloth").compose(sloth -> {
          JsonObject snapshot = writer.frames().get(0);
          sloth.socket().pause();
          // Until the node gave up on the sloth: each round an op it cannot take and a signal it must lose. The
          // sloth reads again only then, to see its close.
          return flood(http, writer, 0).compose(overflowed -> {
            sloth.socket().resume();
            return sloth.closed();
          }).compose(code -> {
            assertThat(code).as("the sloth's close").isEqualTo((short) 1013);
            long seq = writer.frames().stream().filter(f -> "delta".equals(f.getString("type")))
                .mapToLong(f -> f.getLong("seq")).max().orElse(0);
            String epoch = snapshot.getString("epoch");
            return TestClient.join(vertx, node.port(), "/ws/metered?user=back&since=" + seq + "&epoch=" + epoch)
                .compose(resumed -> {
                  assertThat(resumed.frames().get(0).getString("type")).isEqualTo("resumed");
                  return TestClient.join(vertx, node.port(), "/ws/metered?user=lost&since=0&epoch=another");
                })
                .compose(fellBack -> {
                  assertThat(fellBack.frames().get(0).getString("type")).isEqualTo("snapshot");
                  return writer.close();
                });
          });
        }))
        .compose(ignored -> Poll.until(vertx, "the writer's close counted", 10_000,
            () -> http.get("/metrics").map(reply -> value(reply.body(), "rpl_session_closes_total{code=\"1000\"}") >= 1)))
        .compose(ignored -> http.get("/metrics"))
        .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
          String text = reply.body();
          assertThat(reply.status()).isEqualTo(200);
          // The JVM's and the process's meters.
          for (String series : new String[] {"jvm_memory_used_bytes{", "jvm_gc_", "jvm_threads_live_threads",
              "jvm_classes_loaded_classes", "process_cpu_usage", "process_files_open_files", "process_uptime_seconds",
              "system_cpu_count"}) {
            assertThat(text).as(series).contains("\n" + series);
          }
          assertThat(text).containsPattern(
              "\nrpl_build_info\\{java=\"[^\"]+\",version=\"\\d+\\.\\d+\\.\\d+[^\"]*\",vertx=\"5\\.[^\"]+\"} 1");
          assertThat(value(text, "rpl_joins_total{kind=\"snapshot\"}")).isEqualTo(2);
          assertThat(value(text, "rpl_joins_total{kind=\"resumed\"}")).isEqualTo(1);
          assertThat(value(text, "rpl_joins_total{kind=\"resume_fallback\"}")).isEqualTo(1);
          assertThat(value(text, "rpl_session_closes_total{code=\"1013\"}")).isEqualTo(1);
          assertThat(value(text, "rpl_session_closes_total{code=\"1000\"}")).isEqualTo(1);
          assertThat(value(text, "rpl_send_queue_overflows_total")).isEqualTo(1);
          assertThat(value(text, "rpl_signals_dropped_total")).isGreaterThanOrEqualTo(1);
          assertThat(value(text, "rpl_subscription_repairs_total")).isZero();
          assertThat(value(text, "rpl_ops_accepted_total")).isGreaterThanOrEqualTo(1);
          assertThat(text).contains("\nrpl_store_latency_seconds_count ", "\nrpl_join_latency_seconds_count ",
              "\nrpl_connections ", "\nrpl_papers ", "\nrpl_deltas_delivered_total ", "\nrpl_snapshots_sent_total ");
          assertThat(text).doesNotContain("by operation");
          ctx.completeNow();
        })));
  }

  /**
   * One op and one signal per round, each after the previous op's ack, until the metrics count a send-queue
   * overflow (checked every 10 rounds, about a megabyte).
   */
  private static Future<Void> flood(Http http, TestClient writer, int round) {
    Future<Boolean> overflowed = round % 10 != 0 ? Future.succeededFuture(false)
        : http.get("/metrics").map(reply -> value(reply.body(), "rpl_send_queue_overflows_total") >= 1);
    return overflowed.compose(done -> {
      if (done) {
        return Future.succeededFuture();
      }
      if (round > 1000) {
        return Future.failedFuture(new AssertionError("100 MB sent and the sloth's send queue never overflowed"));
      }
      writer.send(new JsonObject().put("type", "signal").put("data", new JsonObject().put("round", round)).encode());
      return writer.apply(put("n" + (round % 10), "text", NOTE_TEXT)).compose(acked -> flood(http, writer, round + 1));
    });
  }

  /** The value of one sample line of the Prometheus text, or -1 if there is none. */
  private static double value(String text, String series) {
    Matcher line = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
    return line.find() ? Double.parseDouble(line.group(1)) : -1;
  }
}
