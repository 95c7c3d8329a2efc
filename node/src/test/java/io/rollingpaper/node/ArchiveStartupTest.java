package io.rollingpaper.node;

import io.rollingpaper.node.support.Http;
import io.rollingpaper.node.support.PostgresPerClass;
import io.rollingpaper.node.support.RedisProcess;
import io.rollingpaper.node.support.TestNode;
import io.rollingpaper.node.support.WebhookReceiver;
import io.rollingpaper.node.webhook.WebhookEvent;
import io.rollingpaper.node.support.Poll;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rollingpaper.node.config.NodeConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A node builds its archive and webhook from config at start: schema migrated, deliverer running, metrics exposed. */
@Timeout(60)
class ArchiveStartupTest {
  @RegisterExtension
  static final PostgresPerClass PG = new PostgresPerClass();
  static final String SECRET = "0123456789abcdef0123456789abcdef";
  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  void aNodeWithAnArchiveMigratesAtStartAndDeliversItsWebhookEvents() {
    WebhookReceiver receiver = new WebhookReceiver(vertx).listen().await();
    String url = PG.freshDatabase();
    TestNode node = TestNode.start(Map.of("ARCHIVE_DATABASE_URL", url, "WEBHOOK_URL", receiver.url(),
        "WEBHOOK_SECRET", SECRET, "WEBHOOK_POLL_INTERVAL", "100ms")).await();
    try {
      assertThat(node.node().archiving().archive()).isPresent();
      WebhookEvent event = WebhookEvent.deleted("p1", Instant.now());

      node.node().archiving().outbox().orElseThrow().enqueue(event).await();

      Poll.until(vertx, "delivered", 10_000, () -> Future.succeededFuture(receiver.deliveredCount(event.deliveryId()) == 1))
          .await();
      String metrics = new Http(vertx, node.port()).get("/metrics").await().body();
      assertThat(metrics).contains("rpl_webhook_deliveries_total{result=\"delivered\"} 1.0")
          .contains("rpl_webhook_backlog");
      PG.server().psql(url.substring(url.lastIndexOf('/') + 1), "SELECT 1 FROM schema_version WHERE version = 1");
    } finally {
      node.stop().await();
      receiver.close().await();
    }
  }

  @Test
  void aNodeWhoseArchiveIsUnreachableDoesNotStart() {
    int closedPort = RedisProcess.freePort();
    NodeConfig config = NodeConfig.fromEnv(Map.of("PORT", "0", "HOST", "127.0.0.1",
        "ARCHIVE_DATABASE_URL", "postgresql://rpl@127.0.0.1:" + closedPort + "/rpl"));
    // Deployed on the test's Vert.x: TestNode closes its own Vert.x on a failed start, racing the failure's delivery.
    Node node = new Node(config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));

    assertThatThrownBy(() -> vertx.deployVerticle(node).await()).hasMessageContaining("127.0.0.1:" + closedPort);
  }
}
