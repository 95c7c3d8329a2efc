package io.rollingpaper.node.paper;

import io.rollingpaper.node.backend.ChannelMessage;
import io.rollingpaper.node.session.CloseCodes;
import io.rollingpaper.node.transport.OutboundFrame;
import io.rollingpaper.node.session.Refusal;
import io.rollingpaper.node.session.Session;
import io.rollingpaper.node.backend.Delta;
import io.rollingpaper.node.backend.PaperHead;
import io.rollingpaper.node.backend.PaperRead;
import io.rollingpaper.node.backend.ReadRequest;
import io.rollingpaper.protocol.ErrorCode;
import io.rollingpaper.protocol.FrameCodec;
import io.rollingpaper.protocol.PaperSnapshot;
import io.rollingpaper.protocol.PaperStatus;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One paper as this node serves it: its local sessions and where the paper's stream stands.
 *
 * <p>Every delta reaches local sessions from the subscription (the sender's own included), appended to
 * a ring in seq order; each session is then given the deltas after its cursor, so every session sees
 * every seq once, in order, with no gap. A seq that jumps, a message of another epoch, a lost
 * subscription or a stale head seen by the periodic check starts a repair from the store's history;
 * what the history cannot cover is replaced by a fresh snapshot. Lives on the node's event loop.
 */
final class LocalPaper {
  private static final Logger LOG = LoggerFactory.getLogger(LocalPaper.class);
  private static final int RING_CAPACITY = 1024;
  private static final long HEAD_GRACE_MS = 250;
  private static final long REPAIR_RETRY_MS = 1000;

  private final String id;
  private final PaperHub hub;
  private final Map<Session, Cursor> cursors = new LinkedHashMap<>();
  private final LocalPresence presence = new LocalPresence();
  private final PaperJoins joins;
  private final ArrayDeque<ChannelMessage> pending = new ArrayDeque<>();
  private Future<Void> subscription;
  private String epoch;
  private DeltaRing ring;
  private PaperStatus status = PaperStatus.OPEN;
  private long completedSeq = -1;
  private boolean repairing;
  private long lingerTimer = -1;

  LocalPaper(String id, PaperHub hub) {
    this.id = id;
    this.hub = hub;
    this.joins = new PaperJoins(this, hub);
  }

  String id() {
    return id;
  }

  boolean completed() {
    return status == PaperStatus.COMPLETED;
  }

  int sessionCount() {
    return cursors.size();
  }

  List<Session> sessions() {
    return List.copyOf(cursors.keySet());
  }

  Map<String, String> presentUsers() {
    return presence.names();
  }

  /** Adds a session and gives it its first frame: a resume when possible, a snapshot otherwise. */
  Future<Void> join(Session session, Long since, String sinceEpoch) {
    cancelLinger();
    Cursor cursor = new Cursor();
    cursors.put(session, cursor);
    return joins.join(session, cursor, since, sinceEpoch, presence.add(session.identity()));
  }

  Future<Void> subscribe() {
    if (subscription == null || subscription.failed()) {
      subscription = hub.broker().subscribe(id);
    }
    return subscription;
  }

  /**
   * Gives a joining session its first frame. {@code snapshotFrame}: the read's snapshot already serialized
   * (shared by every joiner of one read), or null to serialize it here.
   */
  void first(Session session, Cursor cursor, PaperRead read, OutboundFrame snapshotFrame) {
    if (read instanceof PaperRead.Snapshot snapshot) {
      adoptIfUnknown(snapshot.snapshot().epoch(), snapshot.snapshot().seq(), snapshot.snapshot().status());
      giveSnapshot(session, cursor, snapshot, snapshotFrame != null ? snapshotFrame
          : OutboundFrame.of(FrameCodec.snapshot(snapshot.snapshot())));
      if (!snapshot.snapshot().epoch().equals(epoch)) {
        repair();
      }
    } else if (read instanceof PaperRead.Resumed resumed) {
      adoptIfUnknown(resumed.epoch(), resumed.seq(), resumed.status());
      session.send(FrameCodec.resumed(id, resumed.epoch(), resumed.from(), resumed.seq(), resumed.presence()));
      cursor.epoch = resumed.epoch();
      cursor.seq = resumed.from();
      cursor.presenceVersion = resumed.presenceVersion();
      cursor.ready = true;
      giveDeltas(session, cursor, resumed);
      presence.replay(session, cursor);
      if (!resumed.epoch().equals(epoch)) {
        repair();
      }
      pump(session, cursor);
    } else if (read instanceof PaperRead.Missing missing) {
      refuseMissing(session, missing);
    }
  }

  /** A join of a deleted paper, or a viewer's of one that does not exist: one error frame, then 4404. */
  private void refuseMissing(Session session, PaperRead.Missing missing) {
    String why = missing.deleted() ? "the paper was deleted" : "the paper does not exist";
    LOG.info("node={} paper={} session={} join refused: {}", hub.nodeId(), id, session.id(), why);
    session.refuse(Refusal.notFound(why));
  }

  private void adoptIfUnknown(String newEpoch, long seq, PaperStatus newStatus) {
    if (epoch != null) {
      return;
    }
    epoch = newEpoch;
    ring = new DeltaRing(RING_CAPACITY, seq);
    if (newStatus == PaperStatus.COMPLETED) {
      status = PaperStatus.COMPLETED;
      completedSeq = seq;
    }
    drainPending();
  }

  /** {@code frame} is the snapshot serialized: built once and shared when several sessions get the same read. */
  private void giveSnapshot(Session session, Cursor cursor, PaperRead.Snapshot read, OutboundFrame frame) {
    PaperSnapshot snapshot = read.snapshot();
    session.send(frame, false);
    hub.metrics().snapshotSent();
    cursor.epoch = snapshot.epoch();
    cursor.seq = snapshot.seq();
    cursor.presenceVersion = Math.max(cursor.presenceVersion, read.presenceVersion());
    cursor.completedSent = snapshot.status() == PaperStatus.COMPLETED;
    cursor.ready = true;
    presence.replay(session, cursor);
    pump(session, cursor);
  }

  private void giveDeltas(Session session, Cursor cursor, PaperRead.Resumed resumed) {
    int sent = 0;
    for (Delta delta : resumed.deltas()) {
      if (delta.seq() == cursor.seq + 1) {
        session.send(OutboundFrame.of(delta.frame()), false);
        cursor.seq = delta.seq();
        sent++;
      }
    }
    hub.metrics().delivered(sent);
  }

  // ---- what arrives from the channel ------------------------------------------------------

  void onMessage(ChannelMessage message) {
    switch (message.kind()) {
      case SIGNAL -> relaySignal(message);
      case PRESENCE -> presence.relay(message, cursors);
      default -> {
        if (epoch == null || repairing) {
          pending.addLast(message);
        } else {
          onOrdered(message);
        }
      }
    }
  }

  private void onOrdered(ChannelMessage message) {
    if (message.kind() == ChannelMessage.Kind.DELETED) {
      if (message.epoch().equals(epoch)) {
        deleted();
      }
      return;
    }
    if (!message.epoch().equals(epoch) || message.seq() > ring.last() + 1
        || (message.kind() == ChannelMessage.Kind.COMPLETED && message.seq() > ring.last())) {
      pending.addLast(message);
      repair();
      return;
    }
    if (message.kind() == ChannelMessage.Kind.DELTA) {
      if (message.seq() == ring.last() + 1) {
        ring.append(OutboundFrame.of(message.frame()));
        pumpAll();
      }
    } else {
      markCompleted(message.seq());
    }
  }

  private void markCompleted(long seq) {
    if (status != PaperStatus.COMPLETED) {
      status = PaperStatus.COMPLETED;
      completedSeq = seq;
      pumpAll();
    }
  }

  private void relaySignal(ChannelMessage message) {
    OutboundFrame frame = OutboundFrame.of(message.frame());
    cursors.forEach((session, cursor) -> {
      if (cursor.ready && !session.id().equals(message.senderSession())) {
        session.send(frame, true);
      }
    });
  }

  // ---- delivery -----------------------------------------------------------------------------

  private void pumpAll() {
    cursors.forEach(this::pump);
  }

  private void pump(Session session, Cursor cursor) {
    if (!cursor.ready || cursor.catchingUp || session.isClosed() || ring == null) {
      return;
    }
    if (!epoch.equals(cursor.epoch)) {
      // The session's first frame and this node's view of the paper disagree on the epoch; a repair
      // in progress restarts everyone, otherwise the session's own read settles it.
      if (!repairing) {
        catchUp(session, cursor);
      }
      return;
    }
    int sent = 0;
    while (cursor.seq < ring.last()) {
      OutboundFrame frame = ring.get(cursor.seq + 1);
      if (frame == null) {
        catchUp(session, cursor);
        break;
      }
      session.send(frame, false);
      cursor.seq++;
      sent++;
    }
    hub.metrics().delivered(sent);
    if (status == PaperStatus.COMPLETED && !cursor.completedSent && cursor.seq >= completedSeq && !cursor.catchingUp) {
      cursor.completedSent = true;
      session.send(FrameCodec.completed(id, completedSeq));
    }
  }

  /** The session is behind what the ring holds: fetch its missing deltas from the store. */
  private void catchUp(Session session, Cursor cursor) {
    cursor.catchingUp = true;
    hub.read(ReadRequest.repair(id, cursor.seq, cursor.epoch)).onComplete(result -> {
      cursor.catchingUp = false;
      if (session.isClosed()) {
        return;
      }
      if (result.failed()) {
        LOG.warn("node={} paper={} session={} cannot catch up: {}", hub.nodeId(), id, session.id(),
            result.cause().getMessage());
        session.close(CloseCodes.INTERNAL_ERROR, "cannot catch up; resume later");
      } else if (result.result() instanceof PaperRead.Resumed resumed) {
        giveDeltas(session, cursor, resumed);
        pump(session, cursor);
      } else if (result.result() instanceof PaperRead.Snapshot snapshot) {
        first(session, cursor, snapshot, null);
      } else {
        deleted();
      }
    });
  }

  // ---- repair -------------------------------------------------------------------------------

  /** Brings the ring up to the store's head; sessions that cannot be served from history get a snapshot. */
  void repair() {
    if (repairing || epoch == null) {
      return;
    }
    repairing = true;
    hub.metrics().subscriptionRepaired();
    hub.read(ReadRequest.repair(id, ring.last(), epoch)).onComplete(result -> {
      repairing = false;
      if (result.failed()) {
        LOG.warn("node={} paper={} repair failed, retrying: {}", hub.nodeId(), id, result.cause().getMessage());
        hub.vertx().setTimer(REPAIR_RETRY_MS, t -> repair());
        return;
      }
      if (result.result() instanceof PaperRead.Resumed resumed) {
        for (Delta delta : resumed.deltas()) {
          if (delta.seq() == ring.last() + 1) {
            ring.append(OutboundFrame.of(delta.frame()));
          }
        }
        if (resumed.status() == PaperStatus.COMPLETED) {
          markCompleted(resumed.seq());
        }
        pumpAll();
      } else if (result.result() instanceof PaperRead.Snapshot snapshot) {
        restart(snapshot);
      } else {
        deleted();
        return;
      }
      drainPending();
    });
  }

  /** The history could not cover the gap, or the epoch changed: everyone starts over from this snapshot. */
  private void restart(PaperRead.Snapshot read) {
    PaperSnapshot snapshot = read.snapshot();
    LOG.info("node={} paper={} restarts {} sessions from a snapshot (epoch {} seq {})", hub.nodeId(), id,
        cursors.size(), snapshot.epoch(), snapshot.seq());
    epoch = snapshot.epoch();
    ring.reset(snapshot.seq());
    status = snapshot.status();
    completedSeq = status == PaperStatus.COMPLETED ? snapshot.seq() : -1;
    OutboundFrame frame = OutboundFrame.of(FrameCodec.snapshot(snapshot));
    cursors.forEach((session, cursor) -> {
      if (cursor.ready && !session.isClosed()) {
        cursor.catchingUp = false;
        giveSnapshot(session, cursor, read, frame);
      }
    });
  }

  private void drainPending() {
    while (!repairing && epoch != null && !pending.isEmpty()) {
      onOrdered(pending.pollFirst());
    }
  }

  /** The periodic check: the store's head is ahead of what arrived, or in another epoch. */
  void checkHead(PaperHead head) {
    if (epoch == null) {
      return;
    }
    if (!head.epoch().equals(epoch)) {
      repair();
      return;
    }
    if (head.seq() > ring.last()) {
      // Deltas may simply be in flight; repair only if they have not arrived after a short grace.
      hub.vertx().setTimer(HEAD_GRACE_MS, t -> {
        if (head.epoch().equals(epoch) && head.seq() > ring.last()) {
          LOG.info("node={} paper={} missed deltas up to {} (has {}); repairing", hub.nodeId(), id, head.seq(),
              ring.last());
          repair();
        }
      });
    } else if (head.status() == PaperStatus.COMPLETED) {
      markCompleted(head.seq());
    }
  }

  /** The periodic check found no live state: the store lost it (a deletion comes as its own message). */
  void missingInStore() {
    repair();
  }

  /**
   * The paper's live data is gone: every session is closed normally, once the ops it already sent are
   * answered (acked before the deletion, or refused {@code not_found} after it).
   */
  void deleted() {
    cursors.keySet().forEach(session -> session.closeWhenSettled(CloseCodes.NORMAL, "paper deleted"));
    cursors.clear();
    presence.clear();
    hub.remove(this);
  }

  // ---- leaving ------------------------------------------------------------------------------

  void leave(Session session) {
    if (cursors.remove(session) == null) {
      return;
    }
    String user = session.identity().user();
    if (presence.remove(user)) {
      hub.leave(id, user);
    }
    if (cursors.isEmpty()) {
      lingerTimer = hub.vertx().setTimer(hub.unsubscribeLingerMs(), t -> {
        lingerTimer = -1;
        if (cursors.isEmpty()) {
          hub.remove(this);
        }
      });
    }
  }

  private void cancelLinger() {
    if (lingerTimer >= 0) {
      hub.vertx().cancelTimer(lingerTimer);
      lingerTimer = -1;
    }
  }

  void closeAll(short code, String reason) {
    cursors.keySet().forEach(session -> session.close(code, reason));
  }
}
