package io.rollingpaper.node.archive;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.rollingpaper.node.support.PostgresPerClass;
import io.rollingpaper.node.webhook.PgWebhookOutbox;
import io.rollingpaper.node.webhook.WebhookOutbox;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

class PgPaperArchiveTest extends PaperArchiveContract {
  @RegisterExtension
  static final PostgresPerClass PG = new PostgresPerClass();
  static Vertx vertx;
  static String url;

  private Pool pool;
  private PgPaperArchive archive;
  private PgWebhookOutbox outbox;

  @BeforeAll
  static void database() {
    vertx = Vertx.vertx();
    url = PG.freshDatabase();
  }

  @AfterAll
  static void closeVertx() {
    vertx.close().await();
  }

  @BeforeEach
  void connect() {
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(PgConnectOptions.fromUri(url))
        .using(vertx).build();
    new SchemaMigrations(pool).migrate().await();
    pool.query("TRUNCATE archived_papers, webhook_outbox").execute().await();
    outbox = new PgWebhookOutbox(pool);
    archive = new PgPaperArchive(pool, outbox, new SimpleMeterRegistry());
  }

  @AfterEach
  void close() {
    archive.close().await();
  }

  /** Not an assertion: the figure for the report (one node, loopback, fsync off). */
  @org.junit.jupiter.api.Test
  void measureStoreCost() {
    StringBuilder notes = new StringBuilder("[");
    for (int i = 0; i < 100; i++) {
      notes.append(i == 0 ? "" : ",").append("{\"id\":\"n").append(i).append("\",\"text\":\"")
          .append("x".repeat(80)).append("\",\"x\":").append(i).append(",\"author\":\"u\"}");
    }
    String json = notes.append("]").toString();
    java.util.List<Long> store = new java.util.ArrayList<>();
    java.util.List<Long> completed = new java.util.ArrayList<>();
    for (int i = 0; i < 100; i++) {
      String id = paper + "-" + i;
      long start = System.nanoTime();
      archive.store(new ArchivedPaper(id, "e", i, ArchivedPaper.OPEN, json, now, null)).await();
      long stored = System.nanoTime();
      archive.storeCompleted(new ArchivedPaper(id, "e", i, ArchivedPaper.COMPLETED, json, now, now),
          io.rollingpaper.node.webhook.WebhookEvent.completed(id, "{}", now)).await();
      store.add((stored - start) / 1000);
      completed.add((System.nanoTime() - stored) / 1000);
    }
    store.sort(Long::compare);
    completed.sort(Long::compare);
    org.slf4j.LoggerFactory.getLogger(getClass()).info("archive cost, 100 papers of 100 notes ({} bytes): store median {} us "
        + "p95 {} us; storeCompleted (paper + outbox row, one transaction) median {} us p95 {} us", json.length(),
        store.get(50), store.get(95), completed.get(50), completed.get(95));
    org.assertj.core.api.Assertions.assertThat(outbox.backlog().await()).isEqualTo(100);
  }

  @Override
  PaperArchive archive() {
    return archive;
  }

  @Override
  WebhookOutbox outbox() {
    return outbox;
  }
}
