package io.rollingpaper.node.paper;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollingpaper.node.backend.Broker;
import io.rollingpaper.node.backend.BrokerListener;
import io.rollingpaper.node.backend.ChannelMessage;
import io.rollingpaper.node.metrics.NodeMetrics;
import io.rollingpaper.node.session.Session;
import io.rollingpaper.node.session.SessionHost;
import io.rollingpaper.node.backend.Applied;
import io.rollingpaper.node.backend.OpRequest;
import io.rollingpaper.node.backend.PaperRead;
import io.rollingpaper.node.backend.PaperStore;
import io.rollingpaper.node.backend.ReadRequest;
import io.rollingpaper.protocol.ErrorCode;
import io.rollingpaper.protocol.FrameCodec;
import io.rollingpaper.protocol.Op;
import io.rollingpaper.protocol.PaperSnapshot;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The papers this node serves, each a {@link LocalPaper} with its local sessions. The hub routes
 * channel messages to them, applies sessions' and the HTTP API's calls through the store (timed, and
 * awaited by a drain), and runs the {@link PeriodicRound} over all papers.
 * Everything here runs on the node's one event loop.
 */
public final class PaperHub implements SessionHost, BrokerListener {
  private static final Logger LOG = LoggerFactory.getLogger(PaperHub.class);

  private final Vertx vertx;
  private final String nodeId;
  private final StoreCalls store;
  private final Broker broker;
  private final NodeMetrics metrics;
  private final PaperContext context;
  private final PeriodicRound round;
  private final Map<String, LocalPaper> papers = new HashMap<>();
  private int sessions;
  private final Map<String, Integer> sessionsByAddress = new HashMap<>();

  public PaperHub(Vertx vertx, String nodeId, PaperStore store, Broker broker, NodeMetrics metrics,
                  Duration checkInterval, Duration unsubscribeLinger) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.store = new StoreCalls(store, metrics, nodeId);
    this.broker = broker;
    this.metrics = metrics;
    this.context = new PaperContext(vertx, nodeId, this.store, broker, metrics, unsubscribeLinger, this::remove);
    this.round = new PeriodicRound(vertx, nodeId, this.store, papers, checkInterval);
  }

  public void start() {
    metrics.gauges(() -> sessions, papers::size);
    round.start();
  }

  public void stop() {
    round.stop();
  }

  /** Adds a session to its paper; succeeds once the session has been sent its first frame. */
  public Future<Void> join(Session session, Long since, String epoch) {
    sessions++;
    sessionsByAddress.merge(session.address(), 1, Integer::sum);
    return metrics.timeJoin(papers.computeIfAbsent(session.paper(), id -> new LocalPaper(id, context))
        .join(session, since, epoch));
  }

  public int sessionCount() {
    return sessions;
  }

  /** Sessions this node holds on one paper. */
  public int sessionsOn(String paper) {
    LocalPaper local = papers.get(paper);
    return local == null ? 0 : local.sessionCount();
  }

  /** Sessions this node holds from one client address. */
  public int sessionsFrom(String address) {
    return sessionsByAddress.getOrDefault(address, 0);
  }

  /** Closes every session at once. */
  public void closeAll(short code, String reason) {
    List.copyOf(papers.values()).forEach(paper -> paper.closeAll(code, reason));
  }

  /**
   * Closes every session, spread evenly over {@code window} so that their reconnects do not all land
   * on the other nodes in the same instant; each closes once the ops it already read are settled.
   * Completes when the last one has been told to close.
   */
  public Future<Void> closeSpread(short code, String reason, Duration window) {
    List<Session> all = new ArrayList<>();
    papers.values().forEach(paper -> all.addAll(paper.sessions()));
    if (all.isEmpty()) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    long windowMs = window.toMillis();
    for (int i = 0; i < all.size(); i++) {
      Session session = all.get(i);
      boolean last = i == all.size() - 1;
      vertx.setTimer(Math.max(1, windowMs * i / all.size()), t -> {
        session.closeWhenSettled(code, reason);
        if (last) {
          done.complete();
        }
      });
    }
    return done.future();
  }

  /**
   * Completes when every session is closed and nothing waits for the store any more (ops, presence
   * leaves), or after {@code timeout}: then the store may be closed without losing a write.
   */
  public Future<Void> settled(Duration timeout) {
    Promise<Void> done = Promise.promise();
    long deadline = System.nanoTime() + timeout.toNanos();
    vertx.setPeriodic(1, 20, id -> {
      if ((sessions == 0 && store.inFlight() == 0) || System.nanoTime() > deadline) {
        vertx.cancelTimer(id);
        if (sessions > 0 || store.inFlight() > 0) {
          LOG.warn("node={} stops with {} sessions open and {} store calls unanswered", nodeId, sessions,
              store.inFlight());
        }
        done.tryComplete();
      }
    });
    return done.future();
  }

  // ---- SessionHost --------------------------------------------------------------------------

  @Override
  public Future<Applied> apply(Session session, Op op, String cid) {
    return apply(new OpRequest(session.paper(), op, session.identity().user(), cid, session.identity().role()));
  }

  /** Applies an op from a session or the HTTP API, counted in the metrics and in the calls a drain waits for. */
  public Future<Applied> apply(OpRequest request) {
    return store.apply(request);
  }

  // ---- for the HTTP API: timed, and awaited by a drain as ops are -----------------------------

  public Future<PaperRead> read(ReadRequest request) {
    return store.awaited(() -> store.store().read(request));
  }

  public Future<PaperSnapshot> complete(String paper) {
    return store.awaited(() -> store.store().complete(paper));
  }

  public Future<Boolean> delete(String paper) {
    return store.awaited(() -> store.store().delete(paper));
  }

  public Future<PaperSnapshot> create(String paper) {
    return store.awaited(() -> store.store().create(paper));
  }

  @Override
  public void signal(Session session, JsonNode data) {
    String frame = FrameCodec.signal(session.paper(), session.identity().user(), data);
    store.signal(session.paper(), new ChannelMessage.Signal(session.id(), frame));
  }

  @Override
  public boolean completed(Session session) {
    LocalPaper paper = papers.get(session.paper());
    return paper != null && paper.completed();
  }

  @Override
  public void refused(Session session, ErrorCode code) {
    metrics.refused(code);
  }

  @Override
  public void signalDropped(Session session) {
    metrics.signalDropped();
  }

  @Override
  public void sendQueueOverflowed(Session session) {
    metrics.sendQueueOverflowed();
  }

  @Override
  public void closed(Session session) {
    metrics.sessionClosed(session.closeCode());
    sessions--;
    sessionsByAddress.computeIfPresent(session.address(), (address, count) -> count > 1 ? count - 1 : null);
    LocalPaper paper = papers.get(session.paper());
    if (paper != null) {
      paper.leave(session);
    }
  }

  // ---- BrokerListener -----------------------------------------------------------------------

  @Override
  public void onMessage(String paperId, ChannelMessage message) {
    LocalPaper paper = papers.get(paperId);
    if (paper != null) {
      paper.onMessage(message);
    }
  }

  @Override
  public void onResubscribed() {
    LOG.info("node={} subscriptions restored; repairing {} papers", nodeId, papers.size());
    List.copyOf(papers.values()).forEach(LocalPaper::repair);
  }

  // ---- for LocalPaper -----------------------------------------------------------------------

  private void remove(LocalPaper paper) {
    if (papers.get(paper.id()) == paper) {
      papers.remove(paper.id());
      broker.unsubscribe(paper.id()).onFailure(error -> LOG.debug("node={} paper={} unsubscribe failed: {}", nodeId,
          paper.id(), error.getMessage()));
    }
  }
}
