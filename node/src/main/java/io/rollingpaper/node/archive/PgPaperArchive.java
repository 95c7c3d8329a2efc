package io.rollingpaper.node.archive;

import io.micrometer.core.instrument.MeterRegistry;
import io.rollingpaper.node.webhook.PgWebhookOutbox;
import io.rollingpaper.node.webhook.WebhookEvent;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The archive in PostgreSQL: table {@code archived_papers} (see {@link SchemaMigrations}). Events
 * of a completion or deletion go into the outbox in the same transaction as the paper.
 * Owns the pool: {@link #close()} closes it, after which the outbox on the same pool is closed too.
 */
public final class PgPaperArchive implements PaperArchive {
  private static final String UPSERT = """
      INSERT INTO archived_papers (paper_id, epoch, seq, status, notes, archived_at, completed_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7)
      ON CONFLICT (paper_id) DO UPDATE SET epoch = EXCLUDED.epoch, seq = EXCLUDED.seq, status = EXCLUDED.status,
        notes = EXCLUDED.notes, archived_at = EXCLUDED.archived_at, completed_at = EXCLUDED.completed_at
      """;

  private final Pool pool;
  private final PgWebhookOutbox outbox;
  private final ArchiveLatency latency;

  public PgPaperArchive(Pool pool, PgWebhookOutbox outbox, MeterRegistry registry) {
    this.pool = pool;
    this.outbox = outbox;
    this.latency = new ArchiveLatency(registry);
  }

  @Override
  public Future<Void> store(ArchivedPaper paper) {
    return latency.time("store", () -> upsert(pool, paper));
  }

  @Override
  public Future<Void> storeCompleted(ArchivedPaper paper, WebhookEvent event) {
    return latency.time("store_completed", () -> pool.withTransaction(conn -> upsert(conn, paper)
        .compose(stored -> outbox.enqueue(conn, event))));
  }

  @Override
  public Future<ArchivedPaper> find(String paperId) {
    return latency.time("find", () -> pool.preparedQuery(
            "SELECT paper_id, epoch, seq, status, notes, archived_at, completed_at FROM archived_papers WHERE paper_id = $1")
        .execute(Tuple.of(paperId))
        .map(rows -> rows.size() == 0 ? null : paper(rows.iterator().next())));
  }

  @Override
  public Future<Boolean> remove(String paperId, WebhookEvent deletedEvent) {
    return latency.time("remove", () -> pool.withTransaction(conn -> conn
        .preparedQuery("DELETE FROM archived_papers WHERE paper_id = $1").execute(Tuple.of(paperId))
        .compose(deleted -> (deletedEvent == null ? Future.<Void>succeededFuture() : outbox.enqueue(conn, deletedEvent))
            .map(enqueued -> deleted.rowCount() > 0))));
  }

  @Override
  public Future<Void> close() {
    return pool.close();
  }

  private static Future<Void> upsert(SqlClient client, ArchivedPaper paper) {
    return client.preparedQuery(UPSERT).execute(Tuple.of(
        paper.paperId(), paper.epoch(), paper.seq(), paper.status(), paper.notesJson(),
        utc(paper.archivedAt()), utc(paper.completedAt()))).mapEmpty();
  }

  private static ArchivedPaper paper(Row row) {
    return new ArchivedPaper(row.getString("paper_id"), row.getString("epoch"), row.getLong("seq"),
        row.getString("status"), row.getString("notes"), instant(row.getOffsetDateTime("archived_at")),
        instant(row.getOffsetDateTime("completed_at")));
  }

  static OffsetDateTime utc(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }

  static Instant instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant();
  }
}
