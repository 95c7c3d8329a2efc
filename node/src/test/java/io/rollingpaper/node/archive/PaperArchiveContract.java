package io.rollingpaper.node.archive;

import io.rollingpaper.node.webhook.Delivery;
import io.rollingpaper.node.webhook.WebhookEvent;
import io.rollingpaper.node.webhook.WebhookOutbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The rules every {@link PaperArchive} keeps, with the outbox its completion and deletion events go
 * to. Subclasses give a fresh archive per test (test thread; futures are awaited, bounded by @Timeout).
 */
@Timeout(30)
abstract class PaperArchiveContract {
  /** Key order, spacing and escapes a JSON database type would not keep. */
  static final String NOTES = "[{\"id\":\"n1\",\"text\":\"h\\u00e9llo \\\"q\\\"\",\"x\":1.50,\"author\":\"a\"} ,"
      + " {\"zeta\":true,\"id\":\"n2\",\"alpha\":[1, 2]}]";

  abstract PaperArchive archive();

  abstract WebhookOutbox outbox();

  final String paper = "p-" + UUID.randomUUID().toString().substring(0, 8);
  final Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);

  ArchivedPaper open(long seq, String notes) {
    return new ArchivedPaper(paper, "e1", seq, ArchivedPaper.OPEN, notes, now, null);
  }

  ArchivedPaper completed(long seq) {
    return new ArchivedPaper(paper, "e1", seq, ArchivedPaper.COMPLETED, NOTES, now, now.plusMillis(5));
  }

  @Test
  void findAnswersWhatWasStoredWithNotesByteForByte() {
    archive().store(open(7, NOTES)).await();

    ArchivedPaper found = archive().find(paper).await();

    assertThat(found).isEqualTo(open(7, NOTES));
    assertThat(found.notesJson()).isEqualTo(NOTES);
  }

  @Test
  void findAnswersNullForAPaperNeverArchived() {
    assertThat(archive().find("never-" + paper).await()).isNull();
  }

  @Test
  void storeIsIdempotentAndReplacesByPaperId() {
    archive().store(open(3, "[]")).await();
    archive().store(open(3, "[]")).await();
    archive().store(open(9, NOTES)).await();

    assertThat(archive().find(paper).await()).isEqualTo(open(9, NOTES));
  }

  @Test
  void storeCompletedKeepsThePaperAndQueuesItsEventOnceWhenRetried() {
    WebhookEvent event = WebhookEvent.completed(paper, "{\"paper\":\"" + paper + "\"}", now);

    archive().storeCompleted(completed(4), event).await();
    archive().storeCompleted(completed(4), event).await();

    assertThat(archive().find(paper).await()).isEqualTo(completed(4));
    List<Delivery> claimed = outbox().claim("t", 10, Duration.ofMinutes(1)).await();
    assertThat(claimed).extracting(Delivery::event).containsExactly(event);
  }

  @Test
  void storeCompletedStoresNothingWhenItsEventCannotBeQueued() {
    archive().store(open(2, "[]")).await();
    WebhookEvent broken = new WebhookEvent(UUID.randomUUID().toString(), WebhookEvent.COMPLETED, paper, null, now);

    assertThatThrownBy(() -> archive().storeCompleted(completed(4), broken).await());

    assertThat(archive().find(paper).await()).isEqualTo(open(2, "[]"));
    assertThat(outbox().backlog().await()).isZero();
  }

  @Test
  void removeDeletesTheArchivedCopyAndQueuesTheDeletedEvent() {
    archive().store(completed(4)).await();
    WebhookEvent deleted = WebhookEvent.deleted(paper, now);

    assertThat(archive().remove(paper, deleted).await()).isTrue();

    assertThat(archive().find(paper).await()).isNull();
    assertThat(outbox().claim("t", 10, Duration.ofMinutes(1)).await()).extracting(Delivery::event)
        .containsExactly(deleted);
    assertThat(deleted.body()).isEqualTo("{\"type\":\"paper.deleted\",\"paper\":\"" + paper + "\"}");
  }

  @Test
  void removeOfAPaperNotArchivedAnswersFalseAndStillQueuesTheEvent() {
    assertThat(archive().remove(paper, WebhookEvent.deleted(paper, now)).await()).isFalse();
    assertThat(archive().remove(paper, null).await()).isFalse();

    assertThat(outbox().backlog().await()).isEqualTo(1);
  }
}
