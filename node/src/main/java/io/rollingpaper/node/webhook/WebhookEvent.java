package io.rollingpaper.node.webhook;

import java.time.Instant;
import java.util.UUID;

/**
 * One event for the completion webhook, as queued in the outbox.
 *
 * @param deliveryId unique per event; sent as {@code X-Rolling-Paper-Delivery}, so a receiver
 *                   de-duplicates retries by it
 * @param type       {@link #COMPLETED} or {@link #DELETED}
 * @param body       the JSON body exactly as POSTed and signed (PROTOCOL.md "Completion webhook")
 */
public record WebhookEvent(String deliveryId, String type, String paperId, String body, Instant createdAt) {

  public static final String COMPLETED = "paper.completed";
  public static final String DELETED = "paper.deleted";

  /** A new event with a fresh delivery id. */
  public static WebhookEvent create(String type, String paperId, String body, Instant now) {
    return new WebhookEvent(UUID.randomUUID().toString(), type, paperId, body, now);
  }
}
