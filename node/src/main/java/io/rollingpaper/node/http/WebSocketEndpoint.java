package io.rollingpaper.node.http;

import io.rollingpaper.node.paper.PaperHub;
import io.rollingpaper.node.session.CloseCodes;
import io.rollingpaper.node.session.Identity;
import io.rollingpaper.node.session.Session;
import io.rollingpaper.node.session.SessionLimits;
import io.rollingpaper.protocol.Ids;
import io.rollingpaper.protocol.Role;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * {@code GET /ws/{paperId}}: checks the handshake before upgrading (400 for a bad paper id, since or
 * identity; 426 without an upgrade), then hands the socket to a {@link Session} on the paper.
 * The socket is paused until the session has its first frame, so an op sent right away is never
 * both in the snapshot and missing its ack.
 */
public final class WebSocketEndpoint implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketEndpoint.class);
  private static final Pattern WHOLE_NUMBER = Pattern.compile("\\d{1,16}");
  private static final long MAX_SINCE = (1L << 53) - 1;
  private static final int MAX_NAME_LENGTH = 100;

  private final String nodeId;
  private final PaperHub hub;
  private final SessionLimits limits;
  private final Draining draining;
  private long nextSession;

  public WebSocketEndpoint(String nodeId, PaperHub hub, SessionLimits limits, Draining draining) {
    this.nodeId = nodeId;
    this.hub = hub;
    this.limits = limits;
    this.draining = draining;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String paper = ctx.pathParam("paperId");
    if (!Ids.isValid(paper)) {
      HttpErrors.badRequest(ctx, "the paper id must be 1 to 64 characters of [A-Za-z0-9_-]");
      return;
    }
    String sinceParam = request.getParam("since");
    String epoch = request.getParam("epoch");
    Long since = null;
    if (sinceParam != null) {
      if (!WHOLE_NUMBER.matcher(sinceParam).matches() || Long.parseLong(sinceParam) > MAX_SINCE) {
        HttpErrors.badRequest(ctx, "'since' must be a whole number from 0 to 2^53-1");
        return;
      }
      if (epoch == null) {
        HttpErrors.badRequest(ctx, "'since' needs the 'epoch' it belongs to");
        return;
      }
      since = Long.parseLong(sinceParam);
    }
    Identity identity = identity(request);
    if (identity == null) {
      HttpErrors.badRequest(ctx, "'user' must be 1 to 64 characters of [A-Za-z0-9_-] and 'name' at most 100 characters");
      return;
    }
    if (!"websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE))) {
      ctx.response().setStatusCode(426).putHeader(HttpHeaders.UPGRADE, "websocket")
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end("{\"code\":\"upgrade_required\",\"message\":\"connect with a WebSocket\"}");
      return;
    }
    if (draining.isDraining()) {
      ctx.response().setStatusCode(503).end();
      return;
    }
    Long resumeFrom = since;
    request.toWebSocket().onSuccess(socket -> {
      Session session = new Session(nodeId + "-" + (++nextSession), paper, identity, socket, limits, hub);
      socket.pause();
      session.start();
      hub.join(session, resumeFrom, epoch).onComplete(joined -> {
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

  private static Identity identity(HttpServerRequest request) {
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
