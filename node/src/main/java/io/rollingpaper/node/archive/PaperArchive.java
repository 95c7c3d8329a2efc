package io.rollingpaper.node.archive;

import io.rollingpaper.node.webhook.WebhookEvent;
import io.vertx.core.Future;

/**
 * Finished and idle papers, kept durably. One implementation: PostgreSQL ({@link PgPaperArchive}).
 * Every method is safe to retry: a failed future means nothing or everything of it was committed.
 */
public interface PaperArchive {

  /** Inserts the paper or replaces the archived copy with the same id; idempotent. */
  Future<Void> store(ArchivedPaper paper);

  /**
   * Stores the completed paper and enqueues its {@code paper.completed} webhook event in ONE
   * transaction, so the event exists exactly when the archived paper does. Retrying with the same
   * event (same delivery id) does not enqueue it twice.
   */
  Future<Void> storeCompleted(ArchivedPaper paper, WebhookEvent event);

  /** The archived paper, or {@code null} when there is none. */
  Future<ArchivedPaper> find(String paperId);

  /**
   * Deletes the archived copy and, when {@code deletedEvent} is not null, enqueues the
   * {@code paper.deleted} event, in one transaction. Answers whether an archived copy existed.
   */
  Future<Boolean> remove(String paperId, WebhookEvent deletedEvent);

  Future<Void> close();
}
