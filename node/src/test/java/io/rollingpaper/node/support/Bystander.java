package io.rollingpaper.node.support;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Two clients on a paper of their own, sending signals from one to the other back to back while a
 * test attacks the node elsewhere, and the node's {@code /health/live} asked alongside: how long
 * each round trip took is how long the node's event loop kept everyone else waiting.
 * (The node must allow a few hundred signals a second: {@code RATE_SIGNALS_PER_SECOND}.)
 */
public final class Bystander {
  /** A round trip that never came back is counted as this long. */
  private static final long LOST_MS = 5_000;

  private final Vertx vertx;
  private final TestClient sender;
  private final TestClient receiver;
  private final Http http;
  private final List<Long> roundTripsMs = Collections.synchronizedList(new ArrayList<>());
  private final List<String> healthFailures = Collections.synchronizedList(new ArrayList<>());
  private volatile boolean running;
  private Future<Void> signals;
  private Future<Void> health;
  private int next;

  private Bystander(Vertx vertx, TestClient sender, TestClient receiver, Http http) {
    this.vertx = vertx;
    this.sender = sender;
    this.receiver = receiver;
    this.http = http;
  }

  /** Joins two clients on a fresh paper ({@code query} carries their credentials, starting with {@code ?}). */
  public static Future<Bystander> join(Vertx vertx, int port, String senderQuery, String receiverQuery) {
    String paper = "bystander-" + UUID.randomUUID().toString().substring(0, 8);
    return TestClient.join(vertx, port, "/ws/" + paper + senderQuery).compose(sender ->
        TestClient.join(vertx, port, "/ws/" + paper + receiverQuery)
            .map(receiver -> new Bystander(vertx, sender, receiver, new Http(vertx, port))));
  }

  /** A few round trips whose times are not kept: the first ones pay for class loading and a cold JIT. */
  public Future<Void> warmUp(int roundTrips) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < roundTrips; i++) {
      int n = -(++next);
      chain = chain.compose(ignored -> {
        Future<JsonObject> arrived = receiver.waitFor(f -> "signal".equals(f.getString("type"))
            && f.getJsonObject("data") != null && Integer.valueOf(n).equals(f.getJsonObject("data").getInteger("n")));
        sender.send(new JsonObject().put("type", "signal").put("data", new JsonObject().put("n", n)).encode());
        return arrived.timeout(LOST_MS, TimeUnit.MILLISECONDS).mapEmpty();
      });
    }
    return chain;
  }

  /** Starts measuring; runs until {@link #stop()}. */
  public Bystander start() {
    running = true;
    signals = roundTrips();
    health = healthChecks();
    return this;
  }

  /** Stops measuring and completes when the last round trip and health check are in. */
  public Future<Void> stop() {
    running = false;
    return Future.all(signals, health).mapEmpty();
  }

  public List<Long> roundTripsMs() {
    return List.copyOf(roundTripsMs);
  }

  public long worstMs() {
    return roundTripsMs().stream().mapToLong(Long::longValue).max().orElse(0);
  }

  public List<String> healthFailures() {
    return List.copyOf(healthFailures);
  }

  public Future<Void> close() {
    return sender.close().otherwiseEmpty().compose(ignored -> receiver.close().otherwiseEmpty());
  }

  private Future<Void> roundTrips() {
    Promise<Void> done = Promise.promise();
    roundTrip(done);
    return done.future();
  }

  private Future<Void> healthChecks() {
    Promise<Void> done = Promise.promise();
    healthCheck(done);
    return done.future();
  }

  // Each step schedules the next a few milliseconds later (a steady sample, not a flood that would be
  // the load itself); no chain of futures grows with the number of steps.
  private void roundTrip(Promise<Void> done) {
    if (!running) {
      done.complete();
      return;
    }
    int n = ++next;
    long start = System.nanoTime();
    Future<JsonObject> arrived = receiver.waitFor(f -> "signal".equals(f.getString("type"))
        && f.getJsonObject("data") != null && Integer.valueOf(n).equals(f.getJsonObject("data").getInteger("n")));
    sender.send(new JsonObject().put("type", "signal").put("data", new JsonObject().put("n", n)).encode());
    arrived.timeout(LOST_MS, TimeUnit.MILLISECONDS).onComplete(result -> {
      roundTripsMs.add(result.succeeded() ? (System.nanoTime() - start) / 1_000_000 : LOST_MS);
      vertx.setTimer(5, t -> roundTrip(done));
    });
  }

  private void healthCheck(Promise<Void> done) {
    if (!running) {
      done.complete();
      return;
    }
    http.get("/health/live").timeout(LOST_MS, TimeUnit.MILLISECONDS).onComplete(result -> {
      if (result.failed() || result.result().status() != 200) {
        healthFailures.add(result.failed() ? result.cause().toString() : "status " + result.result().status());
      }
      vertx.setTimer(5, t -> healthCheck(done));
    });
  }
}
