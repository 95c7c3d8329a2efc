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
import io.rollingpaper.node.backend.PaperHead;
import io.rollingpaper.node.backend.PaperRead;
import io.rollingpaper.node.backend.PaperStore;
import io.rollingpaper.node.backend.ReadRequest;
import io.rollingpaper.protocol.ErrorCode;
import io.rollingpaper.protocol.FrameCodec;
import io.rollingpaper.protocol.Op;
import io.rollingpaper.protocol.ProtocolException;
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
 * channel messages to them, applies sessions' ops through the store, and runs the periodic round
 * that refreshes presence and finds papers whose last deltas never arrived.
 * Everything here runs on the node's one event loop.
 */
public final class PaperHub implements SessionHost, BrokerListener {
  private static final Logger LOG = LoggerFactory.getLogger(PaperHub.class);

  private final Vertx vertx;
  private final String nodeId;
  private final PaperStore store;
  private final Broker broker;
  private final NodeMetrics metrics;
  private final Duration checkInterval;
  private final Duration unsubscribeLinger;
  private final Map<String, LocalPaper> papers = new HashMap<>();
  private long tickTimer = -1;
  private int sessions;
  private final Map<String, Integer> sessionsByAddress = new HashMap<>();
  private int storeCallsInFlight;

  public PaperHub(Vertx vertx, String nodeId, PaperStore store, Broker broker, NodeMetrics metrics,
                  Duration checkInterval, Duration unsubscribeLinger) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.store = store;
    this.broker = broker;
    this.metrics = metrics;
    this.checkInterval = checkInterval;
    this.unsubscribeLinger = unsubscribeLinger;
  }

  public void start() {
    metrics.gauges(() -> sessions, papers::size);
    tickTimer = vertx.setPeriodic(checkInterval.toMillis(), id -> tick());
  }

  public void stop() {
    vertx.cancelTimer(tickTimer);
  }

  /** Adds a session to its paper; succeeds once the session has been sent its first frame. */
  public Future<Void> join(Session session, Long since, String epoch) {
    sessions++;
    sessionsByAddress.merge(session.address(), 1, Integer::sum);
    return metrics.timeJoin(papers.computeIfAbsent(session.paper(), id -> new LocalPaper(id, this))
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
      if ((sessions == 0 && storeCallsInFlight == 0) || System.nanoTime() > deadline) {
        vertx.cancelTimer(id);
        if (sessions > 0 || storeCallsInFlight > 0) {
          LOG.warn("node={} stops with {} sessions open and {} store calls unanswered", nodeId, sessions,
              storeCallsInFlight);
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

  /** Applies an op from a session or the HTTP API, counted in the metrics and in the ops a drain waits for. */
  public Future<Applied> apply(OpRequest request) {
    storeCallsInFlight++;
    return metrics.timeStore(store.apply(request)).andThen(result -> {
      storeCallsInFlight--;
      if (result.succeeded()) {
        metrics.accepted();
      } else if (result.cause() instanceof ProtocolException refused) {
        metrics.refused(refused.code());
      } else {
        metrics.refused(ErrorCode.UNAVAILABLE);
        LOG.warn("node={} paper={} by={} op not applied: {}", nodeId, request.paper(), request.by(),
            result.cause().getMessage());
      }
    });
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

  // ---- the periodic round -------------------------------------------------------------------

  private void tick() {
    if (papers.isEmpty()) {
      return;
    }
    Map<String, Map<String, String>> namesByUserByPaper = new HashMap<>();
    papers.forEach((id, paper) -> namesByUserByPaper.put(id, Map.copyOf(paper.presentUsers())));
    store.tick(nodeId, namesByUserByPaper).onComplete(result -> {
      if (result.failed()) {
        LOG.warn("node={} periodic check failed: {}", nodeId, result.cause().getMessage());
        return;
      }
      Map<String, PaperHead> heads = result.result();
      for (String id : namesByUserByPaper.keySet()) {
        LocalPaper paper = papers.get(id);
        if (paper == null) {
          continue;
        }
        PaperHead head = heads.get(id);
        if (head == null) {
          paper.missingInStore();
        } else {
          paper.checkHead(head);
        }
      }
    });
  }

  // ---- for LocalPaper -----------------------------------------------------------------------

  Future<PaperRead> read(ReadRequest request) {
    return metrics.timeStore(store.read(request));
  }

  /** Records that this node's last session of {@code user} on {@code paper} left. */
  void leave(String paper, String user) {
    storeCallsInFlight++;
    store.leave(paper, user, nodeId).onComplete(result -> {
      storeCallsInFlight--;
      if (result.failed()) {
        LOG.warn("node={} paper={} user={} leave not recorded (the presence entry expires instead): {}", nodeId,
            paper, user, result.cause().getMessage());
      }
    });
  }

  Broker broker() {
    return broker;
  }

  NodeMetrics metrics() {
    return metrics;
  }

  Vertx vertx() {
    return vertx;
  }

  String nodeId() {
    return nodeId;
  }

  long unsubscribeLingerMs() {
    return unsubscribeLinger.toMillis();
  }

  void remove(LocalPaper paper) {
    if (papers.get(paper.id()) == paper) {
      papers.remove(paper.id());
      broker.unsubscribe(paper.id()).onFailure(error -> LOG.debug("node={} paper={} unsubscribe failed: {}", nodeId,
          paper.id(), error.getMessage()));
    }
  }
}
