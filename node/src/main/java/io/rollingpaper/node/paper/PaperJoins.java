package io.rollingpaper.node.paper;

import io.rollingpaper.node.metrics.NodeMetrics.JoinKind;
import io.rollingpaper.node.transport.OutboundFrame;
import io.rollingpaper.node.session.Session;
import io.rollingpaper.node.backend.PaperRead;
import io.rollingpaper.node.backend.ReadRequest;
import io.rollingpaper.protocol.FrameCodec;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The joins of one paper: each session's first read, always after the paper's subscription is up, so
 * every delta after the read's seq reaches the paper's ring (a gap-free join).
 *
 * <p>A resume ({@code since}) is read on its own. Fresh joins are read together: while one read is in
 * flight new joiners wait, and when it is done they all go out in the next read, which marks every one of
 * them present and takes one snapshot for all; it is serialized once and the same bytes are written to
 * each. A storm of N joiners thus costs a few store reads and serialized snapshots instead of N of each,
 * and one presence change per read instead of one per joiner. Every joiner of a read starts at the same
 * seq, so the deltas that follow are consistent with its snapshot. The first read of a quiet paper starts
 * on the next turn of the event loop, which gathers the joins whose upgrades were handled in the same pass.
 * Lives on the node's event loop.
 */
final class PaperJoins {
  private static final Logger LOG = LoggerFactory.getLogger(PaperJoins.class);

  /** A session waiting for its snapshot; the promise completes once it has been given its first frame. */
  private record Joiner(Session session, Cursor cursor, Promise<Void> given) {
  }

  private final LocalPaper paper;
  private final PaperContext context;
  private List<Joiner> waiting = new ArrayList<>();
  private boolean busy;

  PaperJoins(LocalPaper paper, PaperContext context) {
    this.paper = paper;
    this.context = context;
  }

  /**
   * Succeeds once the session has its first frame (or has closed meanwhile); fails if the read failed.
   * {@code firstOfUser}: the user has no other session here, so a resume marks the user present.
   */
  Future<Void> join(Session session, Cursor cursor, Long since, String sinceEpoch, boolean firstOfUser) {
    if (since == null) {
      Joiner joiner = new Joiner(session, cursor, Promise.promise());
      waiting.add(joiner);
      if (!busy) {
        busy = true;
        context.vertx().runOnContext(ignored -> readNext());
      }
      return joiner.given().future();
    }
    ReadRequest.PresenceJoin join = firstOfUser
        ? new ReadRequest.PresenceJoin(session.identity().user(), session.identity().name(), context.nodeId()) : null;
    return paper.subscribe()
        .compose(ignored -> context.store().read(new ReadRequest(paper.id(), session.identity().role().canWrite(), since,
            sinceEpoch, join)))
        .map(read -> {
          if (!session.isClosed()) {
            paper.first(session, cursor, read, null);
            context.metrics().joined(read instanceof PaperRead.Resumed ? JoinKind.RESUMED : JoinKind.RESUME_FALLBACK);
          }
          return null;
        });
  }

  private void readNext() {
    List<Joiner> batch = new ArrayList<>(waiting.size());
    for (Joiner joiner : waiting) {
      if (joiner.session().isClosed()) {
        joiner.given().tryComplete();
      } else {
        batch.add(joiner);
      }
    }
    waiting = new ArrayList<>();
    if (batch.isEmpty()) {
      busy = false;
      return;
    }
    LOG.debug("node={} paper={} reads {} joins together", context.nodeId(), paper.id(), batch.size());
    paper.subscribe()
        .compose(ignored -> context.store().read(ReadRequest.joins(paper.id(), presences(batch), anyCreator(batch))))
        .map(read -> {
          first(batch, read);
          return read;
        })
        .onComplete(result -> {
          if (result.succeeded()) {
            batch.forEach(joiner -> joiner.given().tryComplete());
          } else {
            batch.forEach(joiner -> joiner.given().tryFail(result.cause()));
          }
          if (waiting.isEmpty()) {
            busy = false;
          } else {
            readNext();
          }
        });
  }

  /** One read for the whole batch: its snapshot is serialized once, the same bytes written to each joiner. */
  private void first(List<Joiner> batch, PaperRead read) {
    OutboundFrame shared = read instanceof PaperRead.Snapshot snapshot
        ? OutboundFrame.of(FrameCodec.snapshot(snapshot.snapshot())) : null;
    for (Joiner joiner : batch) {
      if (!joiner.session().isClosed()) {
        paper.first(joiner.session(), joiner.cursor(), read, shared);
        context.metrics().joined(JoinKind.SNAPSHOT);
      }
    }
  }

  /** Creation is deliberate: only a writer's or owner's join creates a paper that does not exist. */
  private static boolean anyCreator(List<Joiner> batch) {
    return batch.stream().anyMatch(joiner -> joiner.session().identity().role().canWrite());
  }

  /** Every distinct user of the batch, so the one snapshot includes each joiner. */
  private List<ReadRequest.PresenceJoin> presences(List<Joiner> batch) {
    Map<String, ReadRequest.PresenceJoin> byUser = new LinkedHashMap<>();
    for (Joiner joiner : batch) {
      String user = joiner.session().identity().user();
      byUser.put(user, new ReadRequest.PresenceJoin(user, joiner.session().identity().name(), context.nodeId()));
    }
    return new ArrayList<>(byUser.values());
  }
}
