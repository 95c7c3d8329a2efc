package io.rollingpaper.node.webhook;

import io.rollingpaper.node.archive.SchemaMigrations;
import io.rollingpaper.node.support.PostgresPerClass;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

class PgWebhookDeliveryTest extends WebhookDeliveryContract {
  @RegisterExtension
  static final PostgresPerClass PG = new PostgresPerClass();
  static String url;
  private final List<Pool> pools = new ArrayList<>();

  @BeforeAll
  static void database() {
    url = PG.freshDatabase();
  }

  @BeforeEach
  void emptyOutbox() {
    Pool pool = pool();
    new SchemaMigrations(pool).migrate().await();
    pool.query("TRUNCATE webhook_outbox").execute().await();
  }

  @AfterEach
  void closePools() {
    pools.forEach(p -> p.close().await());
  }

  private Pool pool() {
    Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(PgConnectOptions.fromUri(url))
        .using(vertx).build();
    pools.add(pool);
    return pool;
  }

  /** Each "node" has its own pool on the one database, as separate processes would. */
  @Override
  WebhookOutbox nodeOutbox() {
    return new PgWebhookOutbox(pool());
  }
}
