package io.rollingpaper.node.archive;

import io.rollingpaper.node.support.PostgresPerClass;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class SchemaMigrationsTest {
  @RegisterExtension
  static final PostgresPerClass PG = new PostgresPerClass();
  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  private static Pool pool(String url) {
    return PgBuilder.pool().with(new PoolOptions().setMaxSize(1)).connectingTo(PgConnectOptions.fromUri(url))
        .using(vertx).build();
  }

  private static long count(Pool pool, String sql) {
    return pool.query(sql).execute().await().iterator().next().getLong(0);
  }

  @Test
  void migratingTwiceAppliesEachVersionOnce() {
    Pool pool = pool(PG.freshDatabase());
    try {
      assertThat(new SchemaMigrations(pool).migrate().await()).isEqualTo(SchemaMigrations.VERSIONS.size());
      assertThat(new SchemaMigrations(pool).migrate().await()).isEqualTo(SchemaMigrations.VERSIONS.size());

      assertThat(count(pool, "SELECT count(*) FROM schema_version")).isEqualTo(SchemaMigrations.VERSIONS.size());
      assertThat(count(pool, "SELECT count(*) FROM archived_papers")).isZero();
      assertThat(count(pool, "SELECT count(*) FROM webhook_outbox")).isZero();
    } finally {
      pool.close().await();
    }
  }

  @Test
  void threeNodesMigratingAtOnceAllStartAndApplyEachVersionOnce() {
    String url = PG.freshDatabase();
    List<Pool> pools = IntStream.range(0, 3).mapToObj(i -> pool(url)).toList();
    try {
      List<Future<Integer>> migrations = pools.stream().map(p -> new SchemaMigrations(p).migrate()).toList();

      Future.all(migrations).await();

      assertThat(migrations).extracting(Future::result).containsOnly(SchemaMigrations.VERSIONS.size());
      assertThat(count(pools.get(0), "SELECT count(*) FROM schema_version")).isEqualTo(SchemaMigrations.VERSIONS.size());
    } finally {
      pools.forEach(p -> p.close().await());
    }
  }

  @Test
  void aSchemaNewerThanTheNodeKnowsStopsTheNode() {
    Pool pool = pool(PG.freshDatabase());
    try {
      new SchemaMigrations(pool).migrate().await();
      pool.query("INSERT INTO schema_version (version) VALUES (999)").execute().await();

      assertThatThrownBy(() -> new SchemaMigrations(pool).migrate().await()).hasMessageContaining("version 999");
    } finally {
      pool.close().await();
    }
  }
}
