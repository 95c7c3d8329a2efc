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
 * The node's periodic round over its papers, so its cost does not grow in timers or round trips with the number
 * of papers: one timer, one store call per tick that refreshes the presence and returns the heads of the tick's
 * papers, and one grace timer per tick for all the papers whose head was ahead (their deltas may just be in
 * flight) before they repair. The papers are split into up to {@link #MAX_SLICES} slices by id, one slice per
 * tick, so every paper is still visited once per interval but no tick does all of them: a node's whole round at
 * once (1,000 papers) held its event loop and Redis long enough to be most of the many-papers workload's p99
 * (9.8 ms against 2.1-2.9 ms with the round off; docs/PROFILE.md, "Periodic round in Redis").
 * Lives on the node's event loop.
 */
final class PeriodicRound {
  private static final Logger LOG = LoggerFactory.getLogger(PeriodicRound.class);
  private static final long HEAD_GRACE_MS = 250;
  static final int MAX_SLICES = 10;
  /** No slice shorter than this: short intervals (tests, the warm-up) get fewer slices, not busier timers. */
  private static final long MIN_SLICE_MS = 100;

  private record Ahead(LocalPaper paper, PaperHead head) {
  }

  private final Vertx vertx;
  private final String nodeId;
  private final StoreCalls store;
  private final Map<String, LocalPaper> papers;
  private final Duration interval;
  private final int slices;
  private int nextSlice;
  private long timer = -1;

  /** {@code papers}: the hub's live map of the papers this node serves, read at each tick. */
  PeriodicRound(Vertx vertx, String nodeId, StoreCalls store, Map<String, LocalPaper> papers, Duration interval) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.store = store;
    this.papers = papers;
    this.interval = interval;
    this.slices = slicesOf(interval);
  }

  /** How many slices a round of this interval goes in. */
  static int slicesOf(Duration interval) {
    return (int) Math.max(1, Math.min(MAX_SLICES, interval.toMillis() / MIN_SLICE_MS));
  }

  /** Which slice a paper is in: fixed by its id, so each paper is visited once per interval. */
  static int sliceOf(String paper, int slices) {
    return Math.floorMod(paper.hashCode(), slices);
  }

  void start() {
    timer = vertx.setPeriodic(Math.max(1, interval.toMillis() / slices), id -> tick());
  }

  void stop() {
    vertx.cancelTimer(timer);
  }

  private void tick() {
    int slice = nextSlice;
    nextSlice = (nextSlice + 1) % slices;
    Map<String, Map<String, String>> namesByUserByPaper = new HashMap<>();
    papers.forEach((id, paper) -> {
      if (sliceOf(id, slices) == slice) {
        namesByUserByPaper.put(id, Map.copyOf(paper.presentUsers()));
      }
    });
    if (namesByUserByPaper.isEmpty()) {
      return;
    }
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
