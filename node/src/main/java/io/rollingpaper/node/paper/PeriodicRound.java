package io.rollingpaper.node.paper;

import io.rollingpaper.node.backend.PaperHead;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The node's periodic round over all its papers at once, so its cost does not grow in timers or round trips
 * with the number of papers: one timer, one store call per tick that refreshes every paper's presence and
 * returns every paper's head, and one grace timer per tick for all the papers whose head was ahead (their
 * deltas may just be in flight) before they repair. Lives on the node's event loop.
 */
final class PeriodicRound {
  private static final Logger LOG = LoggerFactory.getLogger(PeriodicRound.class);
  private static final long HEAD_GRACE_MS = 250;

  private record Ahead(LocalPaper paper, PaperHead head) {
  }

  private final Vertx vertx;
  private final String nodeId;
  private final StoreCalls store;
  private final Map<String, LocalPaper> papers;
  private final Duration interval;
  private long timer = -1;

  /** {@code papers}: the hub's live map of the papers this node serves, read at each tick. */
  PeriodicRound(Vertx vertx, String nodeId, StoreCalls store, Map<String, LocalPaper> papers, Duration interval) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.store = store;
    this.papers = papers;
    this.interval = interval;
  }

  void start() {
    timer = vertx.setPeriodic(interval.toMillis(), id -> tick());
  }

  void stop() {
    vertx.cancelTimer(timer);
  }

  private void tick() {
    if (papers.isEmpty()) {
      return;
    }
    Map<String, Map<String, String>> namesByUserByPaper = new HashMap<>();
    papers.forEach((id, paper) -> namesByUserByPaper.put(id, Map.copyOf(paper.presentUsers())));
    store.tick(namesByUserByPaper).onComplete(result -> {
      if (result.failed()) {
        LOG.warn("node={} periodic check failed: {}", nodeId, result.cause().getMessage());
        return;
      }
      checkHeads(namesByUserByPaper.keySet(), result.result());
    });
  }

  private void checkHeads(Set<String> round, Map<String, PaperHead> heads) {
    List<Ahead> ahead = new ArrayList<>();
    for (String id : round) {
      LocalPaper paper = papers.get(id);
      if (paper == null) {
        continue;
      }
      PaperHead head = heads.get(id);
      if (head == null) {
        paper.missingInStore();
      } else if (paper.checkHead(head)) {
        ahead.add(new Ahead(paper, head));
      }
    }
    if (!ahead.isEmpty()) {
      vertx.setTimer(HEAD_GRACE_MS, t -> ahead.forEach(each -> {
        if (papers.get(each.paper().id()) == each.paper()) {
          each.paper().recheckHead(each.head());
        }
      }));
    }
  }
}
