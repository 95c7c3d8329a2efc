package io.rollingpaper.node.webhook;

import io.vertx.core.Future;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The outbox of a single in-memory dev node: same rules as {@link PgWebhookOutbox}, but lost with
 * the process (which is why a node on Redis refuses to start with a webhook and no archive).
 * Synchronized: callers may be on different event loops.
 */
public final class MemoryWebhookOutbox implements WebhookOutbox {
  private final Clock clock;
  private final Map<String, Row> rows = new HashMap<>();

  public MemoryWebhookOutbox(Clock clock) {
    this.clock = clock;
  }

  private static final class Row {
    final WebhookEvent event;
    String state = "pending";
    int attempts;
    Instant nextAttemptAt;
    String leaseOwner;
    Instant leaseUntil;
    String lastError;

    Row(WebhookEvent event, Instant now) {
      this.event = event;
      this.nextAttemptAt = now;
    }
  }

  @Override
  public synchronized Future<Void> enqueue(WebhookEvent event) {
    rows.putIfAbsent(event.deliveryId(), new Row(event, clock.instant()));
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<List<Delivery>> claim(String owner, int max, Duration lease) {
    Instant now = clock.instant();
    List<Row> due = rows.values().stream()
        .filter(r -> r.state.equals("pending") && !r.nextAttemptAt.isAfter(now)
            && (r.leaseUntil == null || r.leaseUntil.isBefore(now)))
        .sorted(Comparator.comparing(r -> r.nextAttemptAt))
        .limit(max)
        .toList();
    List<Delivery> claimed = new ArrayList<>(due.size());
    for (Row row : due) {
      row.leaseOwner = owner;
      row.leaseUntil = now.plus(lease);
      row.attempts++;
      claimed.add(new Delivery(row.event, row.attempts));
    }
    return Future.succeededFuture(claimed);
  }

  @Override
  public synchronized Future<Void> delivered(String deliveryId, String owner) {
    Row row = rows.get(deliveryId);
    if (row != null && row.state.equals("pending")) {
      // Delivered rows are only bookkeeping; a dev node does not keep them.
      rows.remove(deliveryId);
    }
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Void> failed(String deliveryId, String owner, Duration retryIn, String error) {
    Row row = heldBy(deliveryId, owner);
    if (row != null) {
      row.leaseOwner = null;
      row.leaseUntil = null;
      row.nextAttemptAt = clock.instant().plus(retryIn);
      row.lastError = error;
    }
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Void> deadLettered(String deliveryId, String owner, String error) {
    Row row = heldBy(deliveryId, owner);
    if (row != null) {
      row.state = "dead";
      row.leaseOwner = null;
      row.leaseUntil = null;
      row.lastError = error;
    }
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Long> backlog() {
    return Future.succeededFuture(rows.values().stream().filter(r -> r.state.equals("pending")).count());
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  private Row heldBy(String deliveryId, String owner) {
    Row row = rows.get(deliveryId);
    return row != null && row.state.equals("pending") && owner.equals(row.leaseOwner) ? row : null;
  }
}
