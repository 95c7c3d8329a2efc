package io.rollingpaper.node.http;

import io.rollingpaper.node.backend.Broker;
import io.rollingpaper.node.backend.PaperStore;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.function.BooleanSupplier;

/**
 * Liveness (the process answers) and readiness (warmed up, the store answers, subscriptions are live, not
 * draining).
 */
public final class HealthApi {
  private final PaperStore store;
  private final Broker broker;
  private final Draining draining;
  private final BooleanSupplier warmedUp;

  /** {@code warmedUp}: whether the start-up warm-up has ended; the node is not ready before. */
  public HealthApi(PaperStore store, Broker broker, Draining draining, BooleanSupplier warmedUp) {
    this.store = store;
    this.broker = broker;
    this.draining = draining;
    this.warmedUp = warmedUp;
  }

  public void mount(Router router) {
    router.get("/health/live").handler(ctx -> answer(ctx, 200, "up"));
    router.get("/health/ready").handler(this::ready);
  }

  private void ready(RoutingContext ctx) {
    if (draining.isDraining()) {
      answer(ctx, 503, "draining");
    } else if (!warmedUp.getAsBoolean()) {
      answer(ctx, 503, "warming up");
    } else if (broker.state() == Broker.State.DOWN) {
      answer(ctx, 503, "subscriptions down");
    } else if (broker.state() == Broker.State.UNCONFIRMED) {
      answer(ctx, 503, "subscriptions not confirmed live");
    } else {
      store.ping().onComplete(ping -> answer(ctx, ping.succeeded() ? 200 : 503, ping.succeeded() ? "ready" : "store unreachable"));
    }
  }

  private static void answer(RoutingContext ctx, int status, String state) {
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end("{\"status\":\"" + state + "\"}");
  }
}
