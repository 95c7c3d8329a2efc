package io.rollingpaper.node.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What a request no route takes gets: under {@code /api/} (and the other machine endpoints) a JSON
 * {@code {"code","message"}} like every other answer of the API — {@code 404 not_found}, or
 * {@code 405 method_not_allowed} with {@code Allow} for a known path and a wrong method — so a backend's
 * HTTP client never has to parse an HTML page. The pages for people keep Vert.x's plain answers.
 */
public final class UnknownRoutes {
  private static final Pattern PARAM = Pattern.compile(":\\w+");
  private static final String HTML_NOT_FOUND = "<html><body><h1>Resource not found</h1></body></html>";

  public void mount(Router router) {
    router.errorHandler(404, this::notFound);
    router.errorHandler(405, ctx -> methodNotAllowed(ctx, allowedMethods(router, ctx.request().path())));
  }

  private void notFound(RoutingContext ctx) {
    if (isMachineEndpoint(ctx)) {
      json(ctx, 404, "not_found", "no endpoint " + ctx.request().method() + " " + ctx.request().path());
    } else {
      ctx.response().setStatusCode(404).putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
          .end(HTML_NOT_FOUND);
    }
  }

  private void methodNotAllowed(RoutingContext ctx, String allowed) {
    ctx.response().putHeader(HttpHeaders.ALLOW, allowed);
    if (isMachineEndpoint(ctx)) {
      json(ctx, 405, "method_not_allowed", ctx.request().path() + " does not take " + ctx.request().method()
          + "; it takes " + allowed);
    } else {
      ctx.response().setStatusCode(405).end();
    }
  }

  /** What RFC 9110 asks a 405 to list: the methods of the routes whose path matches this one. */
  private static String allowedMethods(Router router, String path) {
    Set<String> methods = new TreeSet<>();
    for (Route route : router.getRoutes()) {
      // A route's name is the path it was declared with (":paperId" included); its getPath() stops at the first param.
      String declared = route.getName();
      if (declared != null && declared.startsWith("/") && route.methods() != null
          && path.matches(PARAM.matcher(Pattern.quote(declared)).replaceAll("\\\\E[^/]+\\\\Q"))) {
        route.methods().forEach(method -> methods.add(method.name()));
      }
    }
    return String.join(", ", methods);
  }

  private static boolean isMachineEndpoint(RoutingContext ctx) {
    String path = ctx.request().path();
    return path.startsWith("/api/") || path.equals("/api") || path.startsWith("/health/") || path.equals("/metrics");
  }

  private static void json(RoutingContext ctx, int status, String code, String message) {
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(JsonObject.of("code", code, "message", message).encode());
  }
}
