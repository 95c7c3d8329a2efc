package io.rollingpaper.node.lifecycle;

import io.rollingpaper.node.archive.PaperArchive;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Moves idle papers out of the live store into the archive, so the live store holds only papers in use.
 *
 * <p>Every node runs one. Each round records the papers this node used as active, then takes the papers no
 * node has marked for {@code PAPER_IDLE_TTL} and, one at a time: leases the paper in the live store (only
 * one node wins; the lease also requires no op for the idle time and nobody present), writes it to the
 * archive with its epoch, seq and notes, and removes it from the live store only if it is still at that
 * epoch and seq with nobody present (compare and delete). A node that dies in between leaves a lease that
 * expires and a copy in the archive that the next round replaces. Runs on the node's event loop.
 */
public final class IdleSweeper {
  private static final Logger LOG = LoggerFactory.getLogger(IdleSweeper.class);
  private static final int BATCH = 100;

  private final Vertx vertx;
  private final String nodeId;
  private final LifecycleStore store;
  private final PaperArchive archive;
  private final Duration idleTtl;
  private final Duration interval;
  private final Clock clock;
  private long timer = -1;
  private boolean sweeping;

  public IdleSweeper(Vertx vertx, String nodeId, LifecycleStore store, Duration idleTtl, Duration interval,
                     Clock clock) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.store = store;
    this.archive = store.archive().orElseThrow();
    this.idleTtl = idleTtl;
    this.interval = interval;
    this.clock = clock;
  }

  public void start() {
    timer = vertx.setPeriodic(interval.toMillis(), id -> sweep());
  }

  public void stop() {
    vertx.cancelTimer(timer);
  }

  /** One round; completes with the number of papers moved out. Rounds never overlap. */
  public Future<Integer> sweep() {
    if (sweeping) {
      return Future.succeededFuture(0);
    }
    sweeping = true;
    return store.markActive(store.takeTouched())
        .compose(marked -> store.idleCandidates(idleTtl.toMillis(), BATCH))
        .compose(this::moveAll)
        .onFailure(error -> LOG.warn("node={} idle sweep failed: {}", nodeId, error.getMessage()))
        .onComplete(done -> sweeping = false);
  }

  private Future<Integer> moveAll(List<String> papers) {
    Future<Integer> chain = Future.succeededFuture(0);
    for (String paper : papers) {
      chain = chain.compose(moved -> move(paper).map(one -> one ? moved + 1 : moved));
    }
    return chain;
  }

  /** Moves one paper out if it is idle and this node wins its lease; false otherwise. */
  Future<Boolean> move(String paper) {
    long leaseMs = Math.max(10_000, interval.toMillis() * 2);
    long started = System.nanoTime();
    return store.claimIdle(paper, nodeId, idleTtl.toMillis(), leaseMs).compose(claimed -> {
      if (claimed == null) {
        return notMoved(paper);
      }
      return archive.store(ArchivedSnapshots.toArchive(claimed, clock.instant()))
          .compose(stored -> store.evict(paper, nodeId, claimed.epoch(), claimed.seq()))
          .compose(evicted -> {
            if (!evicted) {
              LOG.info("node={} paper={} was used while it was being moved; it stays", nodeId, paper);
              return store.markActive(List.of(paper)).map(false);
            }
            LOG.info("node={} paper={} idle: moved to the archive (epoch {} seq {}, {} notes) in {} ms", nodeId,
                paper, claimed.epoch(), claimed.seq(), claimed.notesJson().size(),
                (System.nanoTime() - started) / 1_000_000);
            return store.forgetActive(paper).map(true);
          });
    });
  }

  /** Not idle after all (used, or someone present): mark it again; gone (deleted, expired): forget it. */
  private Future<Boolean> notMoved(String paper) {
    return store.liveHas(paper).compose(exists -> (exists ? store.markActive(List.of(paper))
        : store.forgetActive(paper)).map(false));
  }
}
