package io.rollingpaper.node.webhook;

import io.vertx.core.Future;

import java.time.Duration;
import java.util.List;

/**
 * The durable queue of webhook events (at-least-once delivery). Implementations: PostgreSQL
 * ({@link PgWebhookOutbox}, shared by every node, survives a node crash) and memory
 * ({@link MemoryWebhookOutbox}, one dev node). A row is claimed under a lease so that exactly one
 * live deliverer POSTs it at a time; an expired lease makes it claimable again.
 */
public interface WebhookOutbox {

  /** Queues an event outside any paper transaction; a second enqueue of the same delivery id is a no-op. */
  Future<Void> enqueue(WebhookEvent event);

  /**
   * Claims up to {@code max} due deliveries for {@code owner} for {@code lease}: pending, with their
   * next attempt time reached and no live lease. Each claim counts as an attempt.
   */
  Future<List<Delivery>> claim(String owner, int max, Duration lease);

  /** The receiver answered 2xx: the row is done. */
  Future<Void> delivered(String deliveryId, String owner);

  /**
   * The attempt failed: the row is due again after {@code retryIn} (measured on the outbox's clock,
   * so nodes with skewed clocks agree), unless {@code owner}'s lease was lost meanwhile.
   */
  Future<Void> failed(String deliveryId, String owner, Duration retryIn, String error);

  /** No more attempts: the row is kept as a dead letter for an operator, never claimed again. */
  Future<Void> deadLettered(String deliveryId, String owner, String error);

  /** Rows still waiting to be delivered (pending, claimed or not). */
  Future<Long> backlog();

  Future<Void> close();
}
