package io.rollingpaper.node.paper;

import io.rollingpaper.node.backend.ChannelMessage;
import io.rollingpaper.node.backend.Delta;
import io.rollingpaper.node.backend.PaperHead;
import io.rollingpaper.node.backend.PaperRead;
import io.rollingpaper.node.backend.ReadRequest;
import io.rollingpaper.node.transport.OutboundFrame;
import io.rollingpaper.protocol.PaperSnapshot;
import io.rollingpaper.protocol.PaperStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;

/**
 * One paper's ordered stream as this node relays it: the epoch, the ring of recent deltas in seq order,
 * and the completion. Deltas, completions and deletions from the channel are taken in seq order; one that
 * arrives before the stream knows its start (no read yet) or during a repair waits in a queue. A seq that
 * jumps, a message of another epoch, a lost subscription or a stale head seen by the periodic check starts
 * a repair from the store's history; what the history cannot cover restarts the stream from a snapshot.
 * The paper is told when the stream advanced, restarted or the paper was deleted. Lives on the node's
 * event loop.
 */
final class PaperStream {
  private static final Logger LOG = LoggerFactory.getLogger(PaperStream.class);
  private static final int RING_CAPACITY = 1024;
  private static final long REPAIR_RETRY_MS = 1000;

  /** What the stream tells its paper. */
  interface Listener {
    /** New deltas or the completion: give each session what it lacks. */
    void advanced();

    /** The stream starts over from this snapshot (a gap the history cannot cover, a new epoch). */
    void restarted(PaperRead.Snapshot read);

    /** The paper's live data is gone. */
    void deleted();
  }

  private final String id;
  private final PaperContext context;
  private final Listener listener;
  private final ArrayDeque<ChannelMessage.Ordered> pending = new ArrayDeque<>();
  private String epoch;
  private DeltaRing ring;
  private PaperStatus status = PaperStatus.OPEN;
  private long completedSeq = -1;
  private boolean repairing;

  PaperStream(String id, PaperContext context, Listener listener) {
    this.id = id;
    this.context = context;
    this.listener = listener;
  }

  /** Null until the first read told the stream where it starts. */
  String epoch() {
    return epoch;
  }

  boolean started() {
    return ring != null;
  }

  boolean repairing() {
    return repairing;
  }

  /** The last seq relayed. */
  long last() {
    return ring.last();
  }

  /** The delta with this seq, or null when the ring does not hold it. */
  OutboundFrame delta(long seq) {
    return ring.get(seq);
  }

  boolean completed() {
    return status == PaperStatus.COMPLETED;
  }

  /** The seq the paper was completed at; meaningful once {@link #completed()}. */
  long completedSeq() {
    return completedSeq;
  }

  /** The first read of the paper on this node tells where its stream starts. */
  void adoptIfUnknown(String newEpoch, long seq, PaperStatus newStatus) {
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

  /** A delta, completion or deletion from the channel. */
  void onMessage(ChannelMessage.Ordered message) {
    if (epoch == null || repairing) {
      pending.addLast(message);
    } else {
      onOrdered(message);
    }
  }

  private void onOrdered(ChannelMessage.Ordered message) {
    if (message instanceof ChannelMessage.Deleted) {
      if (message.epoch().equals(epoch)) {
        deleted();
      }
    } else if (message instanceof ChannelMessage.Delta delta) {
      if (!delta.epoch().equals(epoch) || delta.seq() > ring.last() + 1) {
        pending.addLast(delta);
        repair();
      } else if (delta.seq() == ring.last() + 1) {
        ring.append(OutboundFrame.of(delta.frame()));
        pumpAll();
      }
    } else if (message instanceof ChannelMessage.Completed completed) {
      if (!completed.epoch().equals(epoch) || completed.seq() > ring.last()) {
        pending.addLast(completed);
        repair();
      } else {
        markCompleted(completed.seq());
      }
    }
  }

  private void markCompleted(long seq) {
    if (status != PaperStatus.COMPLETED) {
      status = PaperStatus.COMPLETED;
      completedSeq = seq;
      pumpAll();
    }
  }

  private void pumpAll() {
    listener.advanced();
  }

  private void deleted() {
    listener.deleted();
  }

  // ---- repair -------------------------------------------------------------------------------

  /** Brings the ring up to the store's head; sessions that cannot be served from history get a snapshot. */
  void repair() {
    if (repairing || epoch == null) {
      return;
    }
    repairing = true;
    context.metrics().subscriptionRepaired();
    context.store().read(ReadRequest.repair(id, ring.last(), epoch)).onComplete(result -> {
      repairing = false;
      if (result.failed()) {
        LOG.warn("node={} paper={} repair failed, retrying: {}", context.nodeId(), id, result.cause().getMessage());
        context.vertx().setTimer(REPAIR_RETRY_MS, t -> repair());
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
    epoch = snapshot.epoch();
    ring.reset(snapshot.seq());
    status = snapshot.status();
    completedSeq = status == PaperStatus.COMPLETED ? snapshot.seq() : -1;
    listener.restarted(read);
  }

  private void drainPending() {
    while (!repairing && epoch != null && !pending.isEmpty()) {
      onOrdered(pending.pollFirst());
    }
  }

  // ---- the periodic check -------------------------------------------------------------------

  /**
   * The store's head as the periodic check saw it. True when it is ahead of what arrived: the deltas may
   * simply be in flight, so the caller looks again with {@link #recheckHead} after a short grace.
   */
  boolean checkHead(PaperHead head) {
    if (epoch == null) {
      return false;
    }
    if (!head.epoch().equals(epoch)) {
      repair();
      return false;
    }
    if (head.seq() > ring.last()) {
      return true;
    }
    if (head.status() == PaperStatus.COMPLETED) {
      markCompleted(head.seq());
    }
    return false;
  }

  /** After the grace: repair if the deltas up to {@code head} have still not arrived. */
  void recheckHead(PaperHead head) {
    if (head.epoch().equals(epoch) && head.seq() > ring.last()) {
      LOG.info("node={} paper={} missed deltas up to {} (has {}); repairing", context.nodeId(), id, head.seq(),
          ring.last());
      repair();
    }
  }

  /** The periodic check found no live state: the store lost it (a deletion comes as its own message). */
  void missingInStore() {
    repair();
  }
}
