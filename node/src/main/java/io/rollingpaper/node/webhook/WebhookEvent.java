package io.rollingpaper.node.webhook;

import java.time.Instant;
import java.util.UUID;
import com.fasterxml.jackson.core.io.JsonStringEncoder;

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

  /**
   * {@code {"type":"paper.completed","paper":<snapshot>,"completedAt":"<ISO-8601>"}}.
   *
   * @param snapshotJson the final paper exactly as {@code GET /api/papers/{id}} serves it
   */
  public static WebhookEvent completed(String paperId, String snapshotJson, Instant completedAt) {
    String body = "{\"type\":\"" + COMPLETED + "\",\"paper\":" + snapshotJson + ",\"completedAt\":\""
        + completedAt + "\"}";
    return create(COMPLETED, paperId, body, completedAt);
  }

  /** {@code {"type":"paper.deleted","paper":"<id>"}}. */
  public static WebhookEvent deleted(String paperId, Instant deletedAt) {
    String body = "{\"type\":\"" + DELETED + "\",\"paper\":" + "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(paperId)) + "\"" + "}";
    return create(DELETED, paperId, body, deletedAt);
  }

  /** A new event with a fresh delivery id. */
  public static WebhookEvent create(String type, String paperId, String body, Instant now) {
    return new WebhookEvent(UUID.randomUUID().toString(), type, paperId, body, now);
  }
}
