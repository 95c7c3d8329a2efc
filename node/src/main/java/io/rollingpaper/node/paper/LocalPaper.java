package io.rollingpaper.node.paper;

import io.rollingpaper.node.backend.ChannelMessage;
import io.rollingpaper.node.backend.Delta;
import io.rollingpaper.node.backend.PaperHead;
import io.rollingpaper.node.backend.PaperRead;
import io.rollingpaper.node.backend.ReadRequest;
import io.rollingpaper.node.session.CloseCodes;
import io.rollingpaper.node.transport.OutboundFrame;
import io.rollingpaper.node.session.Refusal;
import io.rollingpaper.node.session.Session;
import io.rollingpaper.protocol.FrameCodec;
import io.rollingpaper.protocol.PaperSnapshot;
import io.rollingpaper.protocol.PaperStatus;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One paper as this node serves it: its local sessions, their presence, and the paper's lifecycle here
 * (subscribed while it has sessions, forgotten a linger after the last left or when it is deleted).
 *
 * <p>Every delta reaches local sessions from the subscription (the sender's own included) through the
 * paper's {@link PaperStream}, which keeps them in seq order; each session is then given the deltas after
 * its cursor, so every session sees every seq once, in order, with no gap. Lives on the node's event loop.
 */
final class LocalPaper implements PaperStream.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(LocalPaper.class);

  private final String id;
  private final PaperContext context;
  private final Map<Session, Cursor> cursors = new LinkedHashMap<>();
  private final LocalPresence presence = new LocalPresence();
  private final PaperJoins joins;
  private final PaperStream stream;
  private Future<Void> subscription;
  private long lingerTimer = -1;

  LocalPaper(String id, PaperContext context) {
    this.id = id;
    this.context = context;
    this.joins = new PaperJoins(this, context);
    this.stream = new PaperStream(id, context, this);
  }

  String id() {
    return id;
  }

  boolean completed() {
    return stream.completed();
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
      subscription = context.broker().subscribe(id);
    }
    return subscription;
  }

  /**
   * Gives a joining session its first frame. {@code snapshotFrame}: the read's snapshot already serialized
   * (shared by every joiner of one read), or null to serialize it here.
   */
  void first(Session session, Cursor cursor, PaperRead read, OutboundFrame snapshotFrame) {
    if (read instanceof PaperRead.Snapshot snapshot) {
      stream.adoptIfUnknown(snapshot.snapshot().epoch(), snapshot.snapshot().seq(), snapshot.snapshot().status());
      giveSnapshot(session, cursor, snapshot, snapshotFrame != null ? snapshotFrame
          : OutboundFrame.of(FrameCodec.snapshot(snapshot.snapshot())));
      if (!snapshot.snapshot().epoch().equals(stream.epoch())) {
        stream.repair();
      }
    } else if (read instanceof PaperRead.Resumed resumed) {
      stream.adoptIfUnknown(resumed.epoch(), resumed.seq(), resumed.status());
      session.send(FrameCodec.resumed(id, resumed.epoch(), resumed.from(), resumed.seq(), resumed.presence()));
      cursor.epoch = resumed.epoch();
      cursor.seq = resumed.from();
      cursor.presenceVersion = resumed.presenceVersion();
      cursor.ready = true;
      giveDeltas(session, cursor, resumed);
      presence.replay(session, cursor);
      if (!resumed.epoch().equals(stream.epoch())) {
        stream.repair();
      }
      pump(session, cursor);
    } else if (read instanceof PaperRead.Missing missing) {
      refuseMissing(session, missing);
    }
  }

  /** A join of a deleted paper, or a viewer's of one that does not exist: one error frame, then 4404. */
  private void refuseMissing(Session session, PaperRead.Missing missing) {
    String why = missing.deleted() ? "the paper was deleted" : "the paper does not exist";
    LOG.info("node={} paper={} session={} join refused: {}", context.nodeId(), id, session.id(), why);
    session.refuse(Refusal.notFound(why));
  }

  /** {@code frame} is the snapshot serialized: built once and shared when several sessions get the same read. */
  private void giveSnapshot(Session session, Cursor cursor, PaperRead.Snapshot read, OutboundFrame frame) {
    PaperSnapshot snapshot = read.snapshot();
    session.send(frame, false);
    context.metrics().snapshotSent();
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
    context.metrics().delivered(sent);
  }

  // ---- what arrives from the channel ------------------------------------------------------

  void onMessage(ChannelMessage message) {
    if (message instanceof ChannelMessage.Signal signal) {
      relaySignal(signal);
    } else if (message instanceof ChannelMessage.Presence change) {
      presence.relay(change, cursors);
    } else if (message instanceof ChannelMessage.Ordered ordered) {
      stream.onMessage(ordered);
    }
  }

  private void relaySignal(ChannelMessage.Signal signal) {
    OutboundFrame frame = OutboundFrame.of(signal.frame());
    cursors.forEach((session, cursor) -> {
      if (cursor.ready && !session.id().equals(signal.senderSession())) {
        session.send(frame, true);
      }
    });
  }

  // ---- delivery -----------------------------------------------------------------------------

  @Override
  public void advanced() {
    cursors.forEach(this::pump);
  }

  private void pump(Session session, Cursor cursor) {
    if (!cursor.ready || cursor.catchingUp || session.isClosed() || !stream.started()) {
      return;
    }
    if (!stream.epoch().equals(cursor.epoch)) {
      // The session's first frame and this node's view of the paper disagree on the epoch; a repair
      // in progress restarts everyone, otherwise the session's own read settles it.
      if (!stream.repairing()) {
        catchUp(session, cursor);
      }
      return;
    }
    int sent = 0;
    while (cursor.seq < stream.last()) {
      OutboundFrame frame = stream.delta(cursor.seq + 1);
      if (frame == null) {
        catchUp(session, cursor);
        break;
      }
      session.send(frame, false);
      cursor.seq++;
      sent++;
    }
    context.metrics().delivered(sent);
    if (stream.completed() && !cursor.completedSent && cursor.seq >= stream.completedSeq() && !cursor.catchingUp) {
      cursor.completedSent = true;
      session.send(FrameCodec.completed(id, stream.completedSeq()));
    }
  }

  /** The session is behind what the ring holds: fetch its missing deltas from the store. */
  private void catchUp(Session session, Cursor cursor) {
    cursor.catchingUp = true;
    context.store().read(ReadRequest.repair(id, cursor.seq, cursor.epoch)).onComplete(result -> {
      cursor.catchingUp = false;
      if (session.isClosed()) {
        return;
      }
      if (result.failed()) {
        LOG.warn("node={} paper={} session={} cannot catch up: {}", context.nodeId(), id, session.id(),
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

  // ---- what the stream tells ---------------------------------------------------------------

  @Override
  public void restarted(PaperRead.Snapshot read) {
    PaperSnapshot snapshot = read.snapshot();
    LOG.info("node={} paper={} restarts {} sessions from a snapshot (epoch {} seq {})", context.nodeId(), id,
        cursors.size(), snapshot.epoch(), snapshot.seq());
    OutboundFrame frame = OutboundFrame.of(FrameCodec.snapshot(snapshot));
    cursors.forEach((session, cursor) -> {
      if (cursor.ready && !session.isClosed()) {
        cursor.catchingUp = false;
        giveSnapshot(session, cursor, read, frame);
      }
    });
  }

  /** A lost subscription came back: what was published meanwhile is fetched from the store. */
  void repair() {
    stream.repair();
  }

  /** The periodic check's head of this paper; true when it should be looked at again after a grace. */
  boolean checkHead(PaperHead head) {
    return stream.checkHead(head);
  }

  void recheckHead(PaperHead head) {
    stream.recheckHead(head);
  }

  /** The periodic check found no live state: the store lost it (a deletion comes as its own message). */
  void missingInStore() {
    stream.missingInStore();
  }

  /**
   * The paper's live data is gone: every session is closed normally, once the ops it already sent are
   * answered (acked before the deletion, or refused {@code not_found} after it).
   */
  @Override
  public void deleted() {
    cursors.keySet().forEach(session -> session.closeWhenSettled(CloseCodes.NORMAL, "paper deleted"));
    cursors.clear();
    presence.clear();
    context.gone().accept(this);
  }

  // ---- leaving ------------------------------------------------------------------------------

  void leave(Session session) {
    if (cursors.remove(session) == null) {
      return;
    }
    String user = session.identity().user();
    if (presence.remove(user)) {
      context.store().leave(id, user);
    }
    if (cursors.isEmpty()) {
      lingerTimer = context.vertx().setTimer(context.unsubscribeLinger().toMillis(), t -> {
        lingerTimer = -1;
        if (cursors.isEmpty()) {
          context.gone().accept(this);
        }
      });
    }
  }

  private void cancelLinger() {
    if (lingerTimer >= 0) {
      context.vertx().cancelTimer(lingerTimer);
      lingerTimer = -1;
    }
  }

  void closeAll(short code, String reason) {
    cursors.keySet().forEach(session -> session.close(code, reason));
  }
}
