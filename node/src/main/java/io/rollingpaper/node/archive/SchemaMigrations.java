package io.rollingpaper.node.archive;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;

import java.util.List;

/**
 * Creates and upgrades the archive's schema. Every node runs it at start: versioned (one row per
 * applied version in {@code schema_version}), idempotent, and serialized across nodes by a
 * transaction-scoped advisory lock, so nodes starting together apply each version exactly once.
 * Add a version by appending to {@link #VERSIONS}; never edit one that shipped.
 */
public final class SchemaMigrations {
  /** An arbitrary constant that names "the Rolling Paper Live schema" among advisory locks. */
  static final long LOCK_KEY = 0x52504c5f5343484dL;

  static final List<String> VERSIONS = List.of(
      // 1: papers and the webhook outbox. Notes are text, not jsonb: jsonb would reorder keys and
      // drop whitespace, and a paper must be served from the archive byte for byte as it was live.
      """
      CREATE TABLE archived_papers (
        paper_id     text PRIMARY KEY,
        epoch        text NOT NULL,
        seq          bigint NOT NULL,
        status       text NOT NULL CHECK (status IN ('open', 'completed')),
        notes        text NOT NULL,
        archived_at  timestamptz NOT NULL,
        completed_at timestamptz
      );
      CREATE TABLE webhook_outbox (
        delivery_id     text PRIMARY KEY,
        type            text NOT NULL,
        paper_id        text NOT NULL,
        body            text NOT NULL,
        created_at      timestamptz NOT NULL,
        state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
        attempts        integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        lease_owner     text,
        lease_until     timestamptz,
        last_error      text,
        finished_at     timestamptz
      );
      CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at) WHERE state = 'pending';
      """);

  private final Pool pool;

  public SchemaMigrations(Pool pool) {
    this.pool = pool;
  }

  /** Brings the schema to the latest version; answers the version it is at. */
  public Future<Integer> migrate() {
    return pool.withTransaction(conn -> conn.query("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")").execute()
        .compose(locked -> conn.query("CREATE TABLE IF NOT EXISTS schema_version ("
            + "version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())").execute())
        .compose(created -> conn.query("SELECT coalesce(max(version), 0) AS v FROM schema_version").execute())
        .compose(rows -> apply(conn, rows.iterator().next().getInteger("v"))));
  }

  private Future<Integer> apply(SqlConnection conn, int current) {
    if (current > VERSIONS.size()) {
      return Future.failedFuture(new IllegalStateException("the archive's schema is at version " + current
          + ", newer than this node knows (" + VERSIONS.size() + "): upgrade the node"));
    }
    Future<Integer> chain = Future.succeededFuture(current);
    for (int v = current + 1; v <= VERSIONS.size(); v++) {
      int version = v;
      chain = chain.compose(previous -> conn.query(VERSIONS.get(version - 1)).execute()
          .compose(done -> conn.query("INSERT INTO schema_version (version) VALUES (" + version + ")").execute())
          .map(done -> version));
    }
    return chain;
  }

}
