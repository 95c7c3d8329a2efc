package io.rollingpaper.node.http;

import io.rollingpaper.node.config.DemoSettings;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The browser client library and, unless {@code DEMO_PAGES=false}, the demo board, served from the
 * classpath folder {@code webroot}. With the demo off its paths are simply not routed (404).
 */
public final class StaticFiles {
  private final DemoSettings demo;

  public StaticFiles(DemoSettings demo) {
    this.demo = demo;
  }

  public void mount(Router router) {
    // A handler on "/x/*" resolves the path after the prefix, so each prefix gets its own folder.
    router.get("/client/*").handler(StaticHandler.create("webroot/client").setCachingEnabled(false));
    if (!demo.pagesEnabled()) {
      return;
    }
    router.get("/").handler(ctx -> page(ctx, "webroot/index.html"));
    router.get("/p/:paperId").handler(ctx -> page(ctx, "webroot/board.html"));
    router.get("/assets/*").handler(StaticHandler.create("webroot/assets").setCachingEnabled(false));
  }

  private static void page(RoutingContext ctx, String resource) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8").sendFile(resource);
  }
}
