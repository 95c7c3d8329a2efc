package io.rollingpaper.node.support;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.function.Supplier;

/** Bounded waits for a condition that has no event of its own to wait for (a Redis state, a health answer). */
public final class Poll {
  private static final long EVERY_MS = 50;

  private Poll() {
  }

  /** Asks {@code check} every 50 ms (on timers, never blocking) until it holds; fails after {@code timeoutMs}. */
  public static Future<Void> until(Vertx vertx, String what, long timeoutMs, Supplier<Future<Boolean>> check) {
    return untilDeadline(vertx, what, System.currentTimeMillis() + timeoutMs, check);
  }

  private static Future<Void> untilDeadline(Vertx vertx, String what, long deadline, Supplier<Future<Boolean>> check) {
    return check.get().transform(result -> {
      if (result.succeeded() && Boolean.TRUE.equals(result.result())) {
        return Future.succeededFuture();
      }
      if (System.currentTimeMillis() > deadline) {
        return Future.failedFuture(new AssertionError("timed out waiting for: " + what
            + (result.failed() ? " (last: " + result.cause().getMessage() + ")" : "")));
      }
      Promise<Void> again = Promise.promise();
      vertx.setTimer(EVERY_MS, t -> untilDeadline(vertx, what, deadline, check).onComplete(again));
      return again.future();
    });
  }
}
