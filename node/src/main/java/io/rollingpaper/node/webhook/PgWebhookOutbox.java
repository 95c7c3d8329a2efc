package io.rollingpaper.node.webhook;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The outbox in the archive's database (table {@code webhook_outbox}), shared by every node.
 * A claim sets a lease ({@code lease_owner}, {@code lease_until}) under {@code FOR UPDATE SKIP LOCKED},
 * so concurrent claimers never take the same row and a row whose claimer died is due again when
 * its lease ends. All times are the database's ({@code now()}), so node clocks need not agree.
 * The pool belongs to the archive; {@link #close()} leaves it open.
 */
public final class PgWebhookOutbox implements WebhookOutbox {
  private static final String INSERT = """
      INSERT INTO webhook_outbox (delivery_id, type, paper_id, body, created_at, next_attempt_at)
      VALUES ($1, $2, $3, $4, $5, now()) ON CONFLICT (delivery_id) DO NOTHING
      """;
  private static final String CLAIM = """
      UPDATE webhook_outbox SET lease_owner = $1, lease_until = now() + $3 * interval '1 millisecond',
        attempts = attempts + 1
      WHERE delivery_id IN (
        SELECT delivery_id FROM webhook_outbox
        WHERE state = 'pending' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
        ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
      RETURNING delivery_id, type, paper_id, body, created_at, attempts
      """;

  private final Pool pool;

  public PgWebhookOutbox(Pool pool) {
    this.pool = pool;
  }

  @Override
  public Future<Void> enqueue(WebhookEvent event) {
    return enqueue(pool, event);
  }

  /** Enqueues through {@code client}: a connection inside a transaction makes it part of that transaction. */
  public Future<Void> enqueue(SqlClient client, WebhookEvent event) {
    return client.preparedQuery(INSERT).execute(Tuple.of(event.deliveryId(), event.type(), event.paperId(),
        event.body(), event.createdAt().atOffset(ZoneOffset.UTC))).mapEmpty();
  }

  @Override
  public Future<List<Delivery>> claim(String owner, int max, Duration lease) {
    return pool.preparedQuery(CLAIM).execute(Tuple.of(owner, max, lease.toMillis())).map(rows -> {
      List<Delivery> claimed = new ArrayList<>(rows.size());
      for (Row row : rows) {
        claimed.add(new Delivery(new WebhookEvent(row.getString("delivery_id"), row.getString("type"),
            row.getString("paper_id"), row.getString("body"), row.getOffsetDateTime("created_at").toInstant()),
            row.getInteger("attempts")));
      }
      return claimed;
    });
  }

  @Override
  public Future<Void> delivered(String deliveryId, String owner) {
    // Whoever holds the lease now, the receiver has the event: the row is done.
    return pool.preparedQuery("UPDATE webhook_outbox SET state = 'delivered', finished_at = now(), lease_owner = NULL,"
        + " lease_until = NULL WHERE delivery_id = $1 AND state = 'pending'").execute(Tuple.of(deliveryId)).mapEmpty();
  }

  @Override
  public Future<Void> failed(String deliveryId, String owner, Duration retryIn, String error) {
    return pool.preparedQuery("UPDATE webhook_outbox SET lease_owner = NULL, lease_until = NULL,"
            + " next_attempt_at = now() + $3 * interval '1 millisecond', last_error = $4"
            + " WHERE delivery_id = $1 AND lease_owner = $2 AND state = 'pending'")
        .execute(Tuple.of(deliveryId, owner, retryIn.toMillis(), error)).mapEmpty();
  }

  @Override
  public Future<Void> deadLettered(String deliveryId, String owner, String error) {
    return pool.preparedQuery("UPDATE webhook_outbox SET state = 'dead', finished_at = now(), lease_owner = NULL,"
            + " lease_until = NULL, last_error = $3 WHERE delivery_id = $1 AND lease_owner = $2 AND state = 'pending'")
        .execute(Tuple.of(deliveryId, owner, error)).mapEmpty();
  }

  @Override
  public Future<Long> backlog() {
    return pool.query("SELECT count(*) AS n FROM webhook_outbox WHERE state = 'pending'").execute()
        .map(rows -> rows.iterator().next().getLong("n"));
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}
