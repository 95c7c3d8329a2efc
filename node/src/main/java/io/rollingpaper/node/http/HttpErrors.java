package io.rollingpaper.node.http;

import io.rollingpaper.node.backend.StoreUnavailableException;
import io.rollingpaper.protocol.ErrorCode;
import io.rollingpaper.protocol.FrameCodec;
import io.rollingpaper.protocol.ProtocolException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Error bodies of the HTTP API: {@code {"code","message"}} with the protocol's status for the code. */
final class HttpErrors {
  private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);

  private HttpErrors() {
  }

  static void send(RoutingContext ctx, ErrorCode code, String message) {
    ctx.response().setStatusCode(code.httpStatus())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(FrameCodec.errorBody(code, message));
  }

  static void badRequest(RoutingContext ctx, String message) {
    send(ctx, ErrorCode.BAD_FRAME, message);
  }

  /** Answers a failed store call: a refusal as itself, anything else as unavailable (logged once here). */
  static void fail(RoutingContext ctx, String paper, Throwable error) {
    if (error instanceof ProtocolException refused) {
      send(ctx, refused.code(), refused.getMessage());
      return;
    }
    if (error instanceof StoreUnavailableException) {
      LOG.warn("paper={} {} {}: {}", paper, ctx.request().method(), ctx.request().path(), error.getMessage());
    } else {
      LOG.error("paper={} {} {} failed", paper, ctx.request().method(), ctx.request().path(), error);
    }
    send(ctx, ErrorCode.UNAVAILABLE, "the store could not answer; retry later");
  }
}
