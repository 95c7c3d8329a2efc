package io.rollingpaper.node.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A real HTTP endpoint standing in for a backend's webhook URL. It records every POST and counts,
 * per delivery id, how many POSTs were in flight at once; what it answers (and after how long) is
 * up to the test.
 */
public final class WebhookReceiver {
  public record Received(String deliveryId, String signature, String contentType, String body, long atNanos,
                         int status) {
  }

  /** What to answer a POST: status and delay in ms. */
  public record Answer(int status, long delayMs) {
  }

  private final Vertx vertx;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final AtomicInteger maxInFlightPerId = new AtomicInteger();
  private volatile Function<String, Answer> answer = id -> new Answer(200, 0);
  private HttpServer server;

  public WebhookReceiver(Vertx vertx) {
    this.vertx = vertx;
  }

  public Future<WebhookReceiver> listen() {
    return listen(0);
  }

  /** Listens on {@code port} (0: any free one; the same port again after {@link #close()}: "back up"). */
  public Future<WebhookReceiver> listen(int port) {
    return vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      String id = req.getHeader("X-Rolling-Paper-Delivery");
      int now = inFlight.computeIfAbsent(String.valueOf(id), k -> new AtomicInteger()).incrementAndGet();
      maxInFlightPerId.accumulateAndGet(now, Math::max);
      Answer a = answer.apply(id);
      Runnable respond = () -> {
        inFlight.get(String.valueOf(id)).decrementAndGet();
        received.add(new Received(id, req.getHeader("X-Rolling-Paper-Signature"), req.getHeader("Content-Type"),
            body.toString(), System.nanoTime(), a.status()));
        req.response().setStatusCode(a.status()).end();
      };
      if (a.delayMs() > 0) {
        vertx.setTimer(a.delayMs(), t -> respond.run());
      } else {
        respond.run();
      }
    })).listen(port, "127.0.0.1").map(s -> {
      server = s;
      return this;
    });
  }

  public int port() {
    return server.actualPort();
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/hook";
  }

  public void answer(Function<String, Answer> answer) {
    this.answer = answer;
  }

  public List<Received> received() {
    return List.copyOf(received);
  }

  /** POSTs answered 2xx, by delivery id. */
  public long deliveredCount(String deliveryId) {
    return received.stream().filter(r -> deliveryId.equals(r.deliveryId()) && r.status() / 100 == 2).count();
  }

  public int maxInFlightPerId() {
    return maxInFlightPerId.get();
  }

  public Future<Void> close() {
    HttpServer closing = server;
    return closing == null ? Future.succeededFuture() : closing.close();
  }
}
