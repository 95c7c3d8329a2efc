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

  @Override
  PaperArchive archive() {
    return archive;
  }

  @Override
  WebhookOutbox outbox() {
    return outbox;
  }
}
