package io.rollingpaper.node.http;

import io.rollingpaper.node.auth.AuthFailure;
import io.rollingpaper.node.auth.Grant;
import io.rollingpaper.node.auth.TokenVerifier;
import io.rollingpaper.node.config.AuthSettings;
import io.rollingpaper.node.config.RateLimits;
import io.rollingpaper.node.metrics.HandshakeRefusals;
import io.rollingpaper.node.paper.PaperHub;
import io.rollingpaper.node.session.CloseCodes;
import io.rollingpaper.node.session.FlushBatching;
import io.rollingpaper.node.session.Heartbeat;
import io.rollingpaper.node.session.Identity;
import io.rollingpaper.node.session.Refusal;
import io.rollingpaper.node.session.Session;
import io.rollingpaper.node.session.SessionLimits;
import io.rollingpaper.protocol.ErrorCode;
import io.rollingpaper.protocol.Ids;
import io.rollingpaper.protocol.Role;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * {@code GET /ws/{paperId}}: 400 for a bad paper id, since or identity, 426 without an upgrade and
 * 403 for a browser origin not allowed are HTTP answers. Every other refusal is a {@link Refusal}
 * told in-band, as a browser can read it: connection caps (4429), a missing or bad token (4401), a
 * token that does not cover the paper (4403), a draining node (1012). Then the socket becomes a
 * {@link Session}, paused until it has its first frame, so an op sent right away is never both in the
 * snapshot and missing its ack.
 */
public final class WebSocketEndpoint implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketEndpoint.class);
  private static final Pattern WHOLE_NUMBER = Pattern.compile("\\d{1,16}");
  private static final long MAX_SINCE = (1L << 53) - 1;
  private static final int MAX_NAME_LENGTH = 100;
  private static final String BEARER = "Bearer ";
  private static final long JOIN_TIMEOUT_MS = 10_000;

  private final Vertx vertx;
  private final String nodeId;
  private final PaperHub hub;
  private final SessionLimits limits;
  private final AuthSettings auth;
  private final TokenVerifier verifier;
  private final Draining draining;
  private final HandshakeRefusals refusals;
  private final Heartbeat heartbeat;
  private long nextSession;

  /** {@code verifier} is null when auth is off. */
  public WebSocketEndpoint(Vertx vertx, String nodeId, PaperHub hub, SessionLimits limits, AuthSettings auth,
                           TokenVerifier verifier, Draining draining, HandshakeRefusals refusals,
                           Heartbeat heartbeat) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.hub = hub;
    this.limits = limits;
    this.auth = auth;
    this.verifier = verifier;
    this.draining = draining;
    this.refusals = refusals;
    this.heartbeat = heartbeat;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String paper = ctx.pathParam("paperId");
    if (!Ids.isValid(paper)) {
      refusals.refused("bad_request");
      HttpErrors.badRequest(ctx, "the paper id must be 1 to 64 characters of [A-Za-z0-9_-]");
      return;
    }
    String sinceParam = request.getParam("since");
    String epoch = request.getParam("epoch");
    Long since = null;
    if (sinceParam != null) {
      if (!WHOLE_NUMBER.matcher(sinceParam).matches() || Long.parseLong(sinceParam) > MAX_SINCE) {
        refusals.refused("bad_request");
        HttpErrors.badRequest(ctx, "'since' must be a whole number from 0 to 2^53-1");
        return;
      }
      if (epoch == null) {
        refusals.refused("bad_request");
        HttpErrors.badRequest(ctx, "'since' needs the 'epoch' it belongs to");
        return;
      }
      since = Long.parseLong(sinceParam);
    }
    Identity anonymous = verifier == null ? developmentIdentity(request) : null;
    if (verifier == null && anonymous == null) {
      refusals.refused("bad_request");
      HttpErrors.badRequest(ctx, "'user' must be 1 to 64 characters of [A-Za-z0-9_-] and 'name' at most 100 characters");
      return;
    }
    if (!"websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE))) {
      ctx.response().setStatusCode(426).putHeader(HttpHeaders.UPGRADE, "websocket")
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end("{\"code\":\"upgrade_required\",\"message\":\"connect with a WebSocket\"}");
      return;
    }
    if (!auth.originAllowed(request.getHeader(HttpHeaders.ORIGIN))) {
      refusals.refused("origin");
      HttpErrors.send(ctx, ErrorCode.FORBIDDEN, "this origin may not open sockets here");
      return;
    }
    if (draining.isDraining()) {
      refuse(request, paper, Refusal.draining());
      return;
    }
    String address = clientAddress(request);
    RateLimits rates = limits.rates();
    if (hub.sessionsFrom(address) >= rates.connectionsPerAddress()) {
      refuse(request, paper, Refusal.rateLimited("too many connections from this address"));
      return;
    }
    if (hub.sessionsOn(paper) >= rates.connectionsPerPaper()) {
      refuse(request, paper, Refusal.rateLimited("too many connections to this paper"));
      return;
    }
    Future<Grant> grant = verifier == null
        ? Future.succeededFuture(new Grant(anonymous, Long.MAX_VALUE))
        : verifier.verify(token(request), paper);
    request.pause();
    Long resumeFrom = since;
    grant.onComplete(result -> {
      request.resume();
      if (result.succeeded()) {
        upgrade(request, paper, address, resumeFrom, epoch, result.result());
      } else if (result.cause() instanceof AuthFailure failure && failure.status() == 403) {
        refuse(request, paper, Refusal.forbidden(failure.getMessage()));
      } else {
        // Only AuthFailures are expected; anything else is a refusal too, never a 500.
        refuse(request, paper, Refusal.unauthorized(result.cause() instanceof AuthFailure
            ? result.cause().getMessage() : "the token could not be verified"));
      }
    });
  }

  /** Completes the upgrade only to say why the socket is refused (PROTOCOL.md "Endpoint"). */
  private void refuse(HttpServerRequest request, String paper, Refusal refusal) {
    refusals.refused(refusal.reason());
    LOG.debug("node={} paper={} handshake refused: {} ({})", nodeId, paper, refusal.reason(), refusal.message());
    request.toWebSocket().onSuccess(refusal::deliver)
        .onFailure(error -> LOG.debug("node={} paper={} upgrade failed: {}", nodeId, paper, error.getMessage()));
  }

  private void upgrade(HttpServerRequest request, String paper, String address, Long since, String epoch, Grant grant) {
    request.toWebSocket().onSuccess(socket -> {
      if (!limits.users().tryOpen(grant.identity().user())) {
        refusals.refused("rate_limited");
        Refusal.rateLimited("too many connections for this user").deliver(socket);
        return;
      }
      FlushBatching batching = FlushBatching.install(request.connection());
      Session session = new Session(nodeId + "-" + (++nextSession), paper, address, grant.identity(), socket,
          batching, limits, hub);
      socket.pause();
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
          socket.resume();
        } else {
          LOG.warn("node={} paper={} session={} join failed: {}", nodeId, paper, session.id(),
              joined.cause().getMessage());
          session.close(CloseCodes.INTERNAL_ERROR, "paper unavailable; retry with back-off");
        }
      });
    }).onFailure(error -> LOG.debug("node={} paper={} upgrade failed: {}", nodeId, paper, error.getMessage()));
  }

  private String clientAddress(HttpServerRequest request) {
    List<String> lines = request.headers().getAll("X-Forwarded-For");
    String forwarded = lines.isEmpty() ? null : lines.get(lines.size() - 1);
    if (limits.rates().trustForwardedFor() && forwarded != null && !forwarded.isBlank()) {
      // The balancer adds a header line of its own (HAProxy) or appends to the last one: only the last entry of
      // the last line is what it saw. Anything before it came from the client and proves nothing.
      String[] hops = forwarded.split(",");
      return hops[hops.length - 1].trim();
    }
    return request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
  }

  private static String token(HttpServerRequest request) {
    String query = request.getParam("access_token");
    if (query != null) {
      return query;
    }
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    return header != null && header.startsWith(BEARER) ? header.substring(BEARER.length()).trim() : null;
  }

  /** With auth off (development), the client names itself; every connection is an owner. */
  private static Identity developmentIdentity(HttpServerRequest request) {
    String user = request.getParam("user");
    String name = request.getParam("name");
    if (user == null || user.isEmpty()) {
      user = "anon-" + UUID.randomUUID().toString().substring(0, 8);
    } else if (!Ids.isValid(user)) {
      return null;
    }
    if (name == null || name.isBlank()) {
      name = user;
    } else if (name.length() > MAX_NAME_LENGTH) {
      return null;
    }
    return new Identity(user, name, Role.OWNER);
  }
}
