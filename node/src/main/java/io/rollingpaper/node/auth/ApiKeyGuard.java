package io.rollingpaper.node.auth;

import io.rollingpaper.protocol.ErrorCode;
import io.rollingpaper.protocol.FrameCodec;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Lets through requests that carry {@code Authorization: Bearer API_KEY}; the rest get 401 unauthorized. */
public final class ApiKeyGuard implements Handler<RoutingContext> {
  private final byte[] expected;

  public ApiKeyGuard(String apiKey) {
    this.expected = ("Bearer " + apiKey).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    // Constant-time comparison: the time taken says nothing about how much of the key matched.
    if (header != null && MessageDigest.isEqual(expected, header.getBytes(StandardCharsets.UTF_8))) {
      ctx.next();
      return;
    }
    ctx.response().setStatusCode(401).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader("WWW-Authenticate", "Bearer")
        .end(FrameCodec.errorBody(ErrorCode.UNAUTHORIZED, "a valid API key is required"));
  }
}
