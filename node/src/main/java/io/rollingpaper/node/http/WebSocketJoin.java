package io.rollingpaper.node.http;

import io.rollingpaper.node.auth.Grant;
import io.rollingpaper.node.metrics.HandshakeRefusals;
import io.rollingpaper.node.paper.PaperHub;
import io.rollingpaper.node.session.CloseCodes;
import io.rollingpaper.node.session.Heartbeat;
import io.rollingpaper.node.session.Refusal;
import io.rollingpaper.node.session.Session;
import io.rollingpaper.node.session.SessionLimits;
import io.rollingpaper.node.transport.WebSocketUpgrade;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What follows {@link WebSocketEndpoint}'s decision: the upgrade (through the transport), then either the
 * in-band {@link Refusal} or a {@link Session} joined to its paper. The session's socket stays paused until
 * the join has sent its first frame, so an op sent right away is never both in the snapshot and missing its
 * ack; a join that does not finish in time closes with 1011. Runs on the node's event loop.
 */
final class WebSocketJoin {
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketJoin.class);
  private static final long JOIN_TIMEOUT_MS = 10_000;

  private final Vertx vertx;
  private final String nodeId;
  private final PaperHub hub;
  private final SessionLimits limits;
  private final HandshakeRefusals refusals;
  private final Heartbeat heartbeat;
  private final WebSocketUpgrade upgrade;
  private long nextSession;

  WebSocketJoin(Vertx vertx, String nodeId, PaperHub hub, SessionLimits limits, HandshakeRefusals refusals,
                Heartbeat heartbeat, WebSocketUpgrade upgrade) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.hub = hub;
    this.limits = limits;
    this.refusals = refusals;
    this.heartbeat = heartbeat;
    this.upgrade = upgrade;
  }

  /** Completes the upgrade only to say why the socket is refused (PROTOCOL.md "Endpoint"). */
  void refuse(HttpServerRequest request, String paper, Refusal refusal) {
    refusals.refused(refusal.reason());
    LOG.debug("node={} paper={} handshake refused: {} ({})", nodeId, paper, refusal.reason(), refusal.message());
    upgrade.forRefusal(request).onSuccess(refusal::deliver)
        .onFailure(error -> LOG.debug("node={} paper={} upgrade failed: {}", nodeId, paper, error.getMessage()));
  }

  void join(HttpServerRequest request, String paper, String address, Long since, String epoch, Grant grant) {
    upgrade.forSession(request).onSuccess(upgraded -> {
      if (!limits.users().tryOpen(grant.identity().user())) {
        refusals.refused("rate_limited");
        Refusal.rateLimited("too many connections for this user").deliver(upgraded.socket());
        return;
      }
      Session session = new Session(nodeId + "-" + (++nextSession), paper, address, grant.identity(),
          upgraded.socket(), upgraded.batching(), limits, hub);
      upgraded.socket().pause();
      session.start(vertx, grant.expiresAt());
      heartbeat.watch(session);
      // A join must never hang: without its first frame in time the client is told to come back.
      long guard = vertx.setTimer(JOIN_TIMEOUT_MS, t -> {
        LOG.warn("node={} paper={} session={} join took over {} ms; closing with 1011", nodeId, paper, session.id(),
            JOIN_TIMEOUT_MS);
        session.close(CloseCodes.INTERNAL_ERROR, "join timed out; retry with back-off");
      });
      hub.join(session, since, epoch).onComplete(joined -> {
        vertx.cancelTimer(guard);
        if (joined.succeeded()) {
          upgraded.socket().resume();
        } else {
          LOG.warn("node={} paper={} session={} join failed: {}", nodeId, paper, session.id(),
              joined.cause().getMessage());
          session.close(CloseCodes.INTERNAL_ERROR, "paper unavailable; retry with back-off");
        }
      });
    }).onFailure(error -> LOG.debug("node={} paper={} upgrade failed: {}", nodeId, paper, error.getMessage()));
  }
}
