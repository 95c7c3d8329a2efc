package io.rollingpaper.node.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/** The demo board and the browser client library, served from the classpath folder {@code webroot}. */
public final class StaticFiles {
  public void mount(Router router) {
    router.get("/").handler(ctx -> page(ctx, "webroot/index.html"));
    router.get("/p/:paperId").handler(ctx -> page(ctx, "webroot/board.html"));
    // A handler on "/x/*" resolves the path after the prefix, so each prefix gets its own folder.
    router.get("/client/*").handler(StaticHandler.create("webroot/client").setCachingEnabled(false));
    router.get("/assets/*").handler(StaticHandler.create("webroot/assets").setCachingEnabled(false));
  }

  private static void page(RoutingContext ctx, String resource) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8").sendFile(resource);
  }
}
