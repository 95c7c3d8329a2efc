package io.rollingpaper.node.lifecycle;

import io.rollingpaper.node.archive.ArchivedPaper;
import io.rollingpaper.node.archive.PaperArchive;
import io.rollingpaper.node.backend.Applied;
import io.rollingpaper.node.backend.ChannelMessage;
import io.rollingpaper.node.backend.OpRequest;
import io.rollingpaper.node.backend.PaperHead;
import io.rollingpaper.node.backend.PaperMissingException;
import io.rollingpaper.node.backend.PaperRead;
import io.rollingpaper.node.backend.PaperStore;
import io.rollingpaper.node.backend.ReadRequest;
import io.rollingpaper.node.backend.StoreUnavailableException;
import io.rollingpaper.node.webhook.WebhookEvent;
import io.rollingpaper.node.webhook.WebhookOutbox;
import io.rollingpaper.protocol.ErrorCode;
import io.rollingpaper.protocol.FrameCodec;
import io.rollingpaper.protocol.PaperSnapshot;
import io.rollingpaper.protocol.PaperStatus;
import io.rollingpaper.protocol.ProtocolException;
import io.vertx.core.Future;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The live store with the archive behind it: the one {@link PaperStore} the node uses when an archive or a
 * webhook is configured.
 *
 * <p>A paper the live store does not have is looked for in the archive before anything creates it: an
 * idle paper moved out comes back with its epoch and seq (on a join or an op; a plain read is served from
 * the archive), and a completed paper whose live copy expired is served read-only from the archive.
 * {@code complete} answers only once the final paper (and its {@code paper.completed} event, in the same
 * transaction) is committed; {@code delete} buries the paper before it removes the archived copy, so nothing
 * brings it back in between. Ops and reads of a paper that exists skip the archive: one store call, as before.
 */
public final class LifecycleStore implements PaperStore {
  private final PaperStore live;
  private final Optional<PaperArchive> archive;
  private final Optional<WebhookOutbox> outbox;
  private final Runnable eventQueued;
  private final Clock clock;
  /** Papers used since the idle sweep last recorded activity. */
  private Set<String> touched = new HashSet<>();

  public LifecycleStore(PaperStore live, Optional<PaperArchive> archive, Optional<WebhookOutbox> outbox,
                        Runnable eventQueued, Clock clock) {
    this.live = live;
    this.archive = archive;
    this.outbox = outbox;
    this.eventQueued = eventQueued;
    this.clock = clock;
  }

  // ---- reads and ops: the archive behind the live store ---------------------------------------

  @Override
  public Future<PaperRead> read(ReadRequest request) {
    if (archive.isEmpty()) {
      return live.read(request);
    }
    touch(request.paper());
    ReadRequest noCreate = new ReadRequest(request.paper(), false, request.since(), request.epoch(),
        request.presence(), request.alsoPresent());
    return live.read(noCreate).compose(read -> {
      if (!(read instanceof PaperRead.Missing missing) || missing.deleted()) {
        return Future.succeededFuture(read);
      }
      return archive.get().find(request.paper()).compose(archived -> {
        if (archived == null) {
          return request.create() ? live.read(request) : Future.succeededFuture(read);
        }
        PaperSnapshot snapshot = ArchivedSnapshots.fromArchive(archived);
        boolean bringBack = !archived.completed() && (request.create() || request.presence() != null);
        if (bringBack) {
          return live.restore(snapshot).compose(restored -> live.read(request));
        }
        return Future.succeededFuture(fromArchive(request, snapshot));
      });
    });
  }

  /** A read answered by the archive: a resume at its seq in its epoch is resumed (nothing is missing). */
  private static PaperRead fromArchive(ReadRequest request, PaperSnapshot snapshot) {
    if (request.since() != null && request.since() == snapshot.seq() && snapshot.epoch().equals(request.epoch())) {
      return new PaperRead.Resumed(snapshot.paper(), snapshot.epoch(), snapshot.seq(), snapshot.seq(),
          snapshot.status(), List.of(), List.of(), 0);
    }
    return new PaperRead.Snapshot(snapshot, 0);
  }

  @Override
  public Future<Applied> apply(OpRequest request) {
    if (archive.isEmpty()) {
      return live.apply(request);
    }
    touch(request.paper());
    return live.apply(request.withCreate(false)).recover(error -> {
      if (!(error instanceof PaperMissingException missing) || missing.deleted()) {
        return Future.failedFuture(error);
      }
      return archive.get().find(request.paper()).compose(archived -> {
        if (archived == null) {
          return live.apply(request);
        }
        if (archived.completed()) {
          return Future.failedFuture(new ProtocolException(ErrorCode.PAPER_COMPLETED, "the paper is completed"));
        }
        return live.restore(ArchivedSnapshots.fromArchive(archived)).compose(restored -> live.apply(request));
      });
    });
  }

  // ---- the backend's lifecycle calls ----------------------------------------------------------

  @Override
  public Future<PaperSnapshot> complete(String paper) {
    return live.complete(paper).compose(snapshot -> {
      if (snapshot != null) {
        return keepCompleted(snapshot);
      }
      if (archive.isEmpty()) {
        return Future.succeededFuture(null);
      }
      return archive.get().find(paper).compose(archived -> {
        if (archived == null) {
          return Future.succeededFuture(null);
        }
        if (archived.completed()) {
          return Future.succeededFuture(ArchivedSnapshots.fromArchive(archived));
        }
        return live.restore(ArchivedSnapshots.fromArchive(archived)).compose(restored -> complete(paper));
      });
    });
  }

  /**
   * Commits the completed paper and its event (in the archive, or in the outbox without one) before the
   * backend hears of it. The event's delivery id is the completion's own (paper and epoch), so a retried
   * {@code complete} never queues a second event.
   */
  private Future<PaperSnapshot> keepCompleted(PaperSnapshot snapshot) {
    PaperSnapshot kept = new PaperSnapshot(snapshot.paper(), snapshot.epoch(), snapshot.seq(), snapshot.status(),
        snapshot.notesJson(), List.of());
    WebhookEvent event = completedEvent(kept);
    Future<Void> committed;
    if (archive.isPresent()) {
      committed = archive.get().storeCompleted(ArchivedSnapshots.toArchive(kept, clock.instant()), event);
    } else if (outbox.isPresent()) {
      committed = outbox.get().enqueue(event);
    } else {
      committed = Future.succeededFuture();
    }
    return committed.transform(done -> {
      if (done.failed()) {
        return Future.failedFuture(new StoreUnavailableException(
            "the completed paper is not yet kept in the archive (retry complete): " + done.cause().getMessage(),
            done.cause()));
      }
      eventQueued.run();
      return Future.succeededFuture(snapshot);
    });
  }

  private WebhookEvent completedEvent(PaperSnapshot snapshot) {
    String id = UUID.nameUUIDFromBytes((WebhookEvent.COMPLETED + "\n" + snapshot.paper() + "\n" + snapshot.epoch())
        .getBytes(StandardCharsets.UTF_8)).toString();
    WebhookEvent event = WebhookEvent.completed(snapshot.paper(), FrameCodec.snapshotObject(snapshot), clock.instant());
    return new WebhookEvent(id, event.type(), event.paperId(), event.body(), event.createdAt());
  }

  @Override
  public Future<Boolean> delete(String paper, boolean buryAnyway) {
    Optional<WebhookEvent> event = outbox.map(o -> WebhookEvent.deleted(paper, clock.instant()));
    if (archive.isEmpty()) {
      return live.delete(paper, buryAnyway).compose(deleted -> !deleted || event.isEmpty()
          ? Future.succeededFuture(deleted)
          : outbox.get().enqueue(event.get()).onSuccess(queued -> eventQueued.run()).map(deleted));
    }
    return archive.get().find(paper).compose(archived -> live.delete(paper, buryAnyway || archived != null)
        .compose(deleted -> archive.get().remove(paper, deleted || archived != null ? event.orElse(null) : null)
            .map(removed -> {
              if (event.isPresent() && (deleted || removed)) {
                eventQueued.run();
              }
              return deleted || removed;
            })));
  }

  @Override
  public Future<PaperSnapshot> create(String paper) {
    if (archive.isEmpty()) {
      return live.create(paper);
    }
    return archive.get().find(paper).compose(archived -> archived != null
        ? Future.succeededFuture(null) : live.create(paper).onSuccess(created -> touch(paper)));
  }

  // ---- activity, for the idle sweep -----------------------------------------------------------

  private void touch(String paper) {
    touched.add(paper);
  }

  /** The papers used since the last call; the sweep records them as active. */
  Set<String> takeTouched() {
    Set<String> out = touched;
    touched = new HashSet<>();
    return out;
  }

  /** Whether the archive may hold papers, so that idle ones can be moved there. */
  boolean archives() {
    return archive.isPresent();
  }

  /** Whether the live store holds the paper, without looking in the archive. */
  Future<Boolean> liveHas(String paper) {
    return live.read(ReadRequest.snapshot(paper)).map(read -> !(read instanceof PaperRead.Missing));
  }

  Optional<PaperArchive> archive() {
    return archive;
  }

  // ---- the rest is the live store's ---------------------------------------------------------

  @Override
  public Future<Boolean> restore(PaperSnapshot paper) {
    return live.restore(paper);
  }

  @Override
  public Future<PaperSnapshot> claimIdle(String paper, String node, long idleMs, long leaseMs) {
    return live.claimIdle(paper, node, idleMs, leaseMs);
  }

  @Override
  public Future<Boolean> evict(String paper, String node, String epoch, long seq) {
    return live.evict(paper, node, epoch, seq);
  }

  @Override
  public Future<Void> markActive(Collection<String> papers) {
    return live.markActive(papers);
  }

  @Override
  public Future<List<String>> idleCandidates(long idleMs, int max) {
    return live.idleCandidates(idleMs, max);
  }

  @Override
  public Future<Void> forgetActive(String paper) {
    return live.forgetActive(paper);
  }

  @Override
  public Future<Void> leave(String paper, String user, String node) {
    return live.leave(paper, user, node);
  }

  @Override
  public Future<Map<String, PaperHead>> tick(String node, Map<String, Map<String, String>> namesByUserByPaper) {
    return live.tick(node, namesByUserByPaper);
  }

  @Override
  public Future<Void> signal(String paper, ChannelMessage.Signal signal) {
    return live.signal(paper, signal);
  }

  @Override
  public Future<Void> ping() {
    return live.ping();
  }

  @Override
  public Future<Void> close() {
    return live.close();
  }
}
