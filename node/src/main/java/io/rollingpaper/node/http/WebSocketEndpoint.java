package io.rollingpaper.node.http;

import io.rollingpaper.node.auth.AuthFailure;
import io.rollingpaper.node.auth.Grant;
import io.rollingpaper.node.auth.TokenVerifier;
import io.rollingpaper.node.config.AuthSettings;
import io.rollingpaper.node.config.RateLimits;
import io.rollingpaper.node.metrics.HandshakeRefusals;
import io.rollingpaper.node.paper.PaperHub;
import io.rollingpaper.node.session.Heartbeat;
import io.rollingpaper.node.session.Identity;
import io.rollingpaper.node.session.Refusal;
import io.rollingpaper.node.session.SessionLimits;
import io.rollingpaper.node.transport.WebSocketUpgrade;
import io.rollingpaper.protocol.ErrorCode;
import io.rollingpaper.protocol.Ids;
import io.rollingpaper.protocol.Role;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * {@code GET /ws/{paperId}}: 400 for a bad paper id, since or identity, 426 without an upgrade and
 * 403 for a browser origin not allowed are HTTP answers. Every other refusal is a {@link Refusal}
 * told in-band, as a browser can read it: connection caps (4429), a missing or bad token (4401), a
 * token that does not cover the paper (4403), a draining node (1012). This class decides who may join;
 * {@link WebSocketJoin} upgrades and refuses or starts the session.
 */
public final class WebSocketEndpoint implements Handler<RoutingContext> {
  private static final Pattern WHOLE_NUMBER = Pattern.compile("\\d{1,16}");
  private static final long MAX_SINCE = (1L << 53) - 1;
  private static final int MAX_NAME_LENGTH = 100;
  private static final String BEARER = "Bearer ";

  private final PaperHub hub;
  private final SessionLimits limits;
  private final AuthSettings auth;
  private final TokenVerifier verifier;
  private final Draining draining;
  private final HandshakeRefusals refusals;
  private final WebSocketJoin join;

  /** {@code verifier} is null when auth is off. */
  public WebSocketEndpoint(Vertx vertx, String nodeId, PaperHub hub, SessionLimits limits, AuthSettings auth,
                           TokenVerifier verifier, Draining draining, HandshakeRefusals refusals,
                           Heartbeat heartbeat, WebSocketUpgrade upgrade) {
    this.hub = hub;
    this.limits = limits;
    this.auth = auth;
    this.verifier = verifier;
    this.draining = draining;
    this.refusals = refusals;
    this.join = new WebSocketJoin(vertx, nodeId, hub, limits, refusals, heartbeat, upgrade);
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
      join.refuse(request, paper, Refusal.draining());
      return;
    }
    String address = clientAddress(request);
    RateLimits rates = limits.rates();
    if (hub.sessionsFrom(address) >= rates.connectionsPerAddress()) {
      join.refuse(request, paper, Refusal.rateLimited("too many connections from this address"));
      return;
    }
    if (hub.sessionsOn(paper) >= rates.connectionsPerPaper()) {
      join.refuse(request, paper, Refusal.rateLimited("too many connections to this paper"));
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
        join.join(request, paper, address, resumeFrom, epoch, result.result());
      } else if (result.cause() instanceof AuthFailure failure && failure.status() == 403) {
        join.refuse(request, paper, Refusal.forbidden(failure.getMessage()));
      } else {
        // Only AuthFailures are expected; anything else is a refusal too, never a 500.
        join.refuse(request, paper, Refusal.unauthorized(result.cause() instanceof AuthFailure
            ? result.cause().getMessage() : "the token could not be verified"));
      }
    });
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
