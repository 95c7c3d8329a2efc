package io.rollingpaper.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollingpaper.node.paper.PaperHub;
import io.rollingpaper.node.backend.OpRequest;
import io.rollingpaper.node.backend.PaperRead;
import io.rollingpaper.node.backend.ReadRequest;
import io.rollingpaper.protocol.ErrorCode;
import io.rollingpaper.protocol.FrameCodec;
import io.rollingpaper.protocol.Ids;
import io.rollingpaper.protocol.Limits;
import io.rollingpaper.protocol.Op;
import io.rollingpaper.protocol.PaperSnapshot;
import io.rollingpaper.protocol.ProtocolException;
import io.rollingpaper.protocol.Role;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The main backend's HTTP API: read, write, complete and delete papers. Every call goes through the hub,
 * so it is timed in the metrics and a draining node closes its store only once the calls are answered.
 */
public final class PaperApi {
  private static final String DEFAULT_BY = "backend";

  private final PaperHub hub;
  private final Limits limits;

  public PaperApi(PaperHub hub, Limits limits) {
    this.hub = hub;
    this.limits = limits;
  }

  public void mount(Router router) {
    router.route("/api/papers/:paperId*").handler(this::checkPaperId);
    router.get("/api/papers/:paperId").handler(this::read);
    router.post("/api/papers/:paperId/ops").handler(BodyHandler.create(false).setBodyLimit(limits.maxFrameBytes()))
        .handler(this::applyOp)
        .failureHandler(ctx -> {
          if (ctx.statusCode() == 413) {
            HttpErrors.send(ctx, ErrorCode.TOO_LARGE, "the body is over " + limits.maxFrameBytes() + " bytes");
          } else {
            ctx.next();
          }
        });
    router.post("/api/papers/:paperId/complete").handler(this::complete);
    router.delete("/api/papers/:paperId").handler(this::delete);
    router.put("/api/papers/:paperId").handler(this::create);
  }

  private void checkPaperId(RoutingContext ctx) {
    if (Ids.isValid(ctx.pathParam("paperId"))) {
      ctx.next();
    } else {
      HttpErrors.badRequest(ctx, "the paper id must be 1 to 64 characters of [A-Za-z0-9_-]");
    }
  }

  private void read(RoutingContext ctx) {
    String paper = ctx.pathParam("paperId");
    hub.read(ReadRequest.snapshot(paper)).onComplete(result -> {
      if (result.failed()) {
        HttpErrors.fail(ctx, paper, result.cause());
      } else if (result.result() instanceof PaperRead.Snapshot snapshot) {
        json(ctx, 200, FrameCodec.snapshotObject(snapshot.snapshot()));
      } else {
        HttpErrors.send(ctx, ErrorCode.NOT_FOUND, "paper '" + paper + "' does not exist or was deleted");
      }
    });
  }

  /** The one way back after a deletion: a new empty paper with a new epoch; 409 if the paper exists. */
  private void create(RoutingContext ctx) {
    String paper = ctx.pathParam("paperId");
    hub.create(paper).onComplete(result -> {
      if (result.failed()) {
        HttpErrors.fail(ctx, paper, result.cause());
      } else if (result.result() == null) {
        ctx.response().setStatusCode(409).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end("{\"code\":\"conflict\",\"message\":" + FrameCodec.quote("paper '" + paper + "' exists") + "}");
      } else {
        json(ctx, 201, FrameCodec.snapshotObject(result.result()));
      }
    });
  }

  private void applyOp(RoutingContext ctx) {
    String paper = ctx.pathParam("paperId");
    OpRequest request;
    try {
      request = parseOp(paper, ctx.body().asString());
    } catch (ProtocolException refused) {
      HttpErrors.send(ctx, refused.code(), refused.getMessage());
      return;
    }
    hub.apply(request).onComplete(result -> {
      if (result.failed()) {
        HttpErrors.fail(ctx, paper, result.cause());
      } else {
        json(ctx, 200, "{\"seq\":" + result.result().seq() + "}");
      }
    });
  }

  private OpRequest parseOp(String paper, String body) {
    JsonNode root = FrameCodec.parse(body == null ? "" : body);
    if (root == null || !root.isObject()) {
      throw new ProtocolException(ErrorCode.BAD_FRAME, "the body must be a JSON object {\"op\":…, \"by\":…}");
    }
    JsonNode by = root.get("by");
    if (by != null && !by.isNull() && (!by.isTextual() || by.asText().isEmpty() || by.asText().length() > 64)) {
      throw new ProtocolException(ErrorCode.BAD_OP, "'by' must be a string of 1 to 64 characters");
    }
    Op op = FrameCodec.decodeOp(root.get("op"), limits);
    String author = by == null || by.isNull() ? DEFAULT_BY : by.asText();
    return new OpRequest(paper, op, author, null, Role.OWNER);
  }

  private void complete(RoutingContext ctx) {
    String paper = ctx.pathParam("paperId");
    hub.complete(paper).onComplete(result -> {
      if (result.failed()) {
        HttpErrors.fail(ctx, paper, result.cause());
      } else if (result.result() == null) {
        HttpErrors.send(ctx, ErrorCode.NOT_FOUND, "paper '" + paper + "' has no live state");
      } else {
        PaperSnapshot snapshot = result.result();
        json(ctx, 200, FrameCodec.snapshotObject(snapshot));
      }
    });
  }

  private void delete(RoutingContext ctx) {
    String paper = ctx.pathParam("paperId");
    hub.delete(paper).onComplete(result -> {
      if (result.failed()) {
        HttpErrors.fail(ctx, paper, result.cause());
      } else if (result.result()) {
        ctx.response().setStatusCode(204).end();
      } else {
        HttpErrors.send(ctx, ErrorCode.NOT_FOUND, "paper '" + paper + "' has no live state");
      }
    });
  }

  private static void json(RoutingContext ctx, int status, String body) {
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body);
  }
}
