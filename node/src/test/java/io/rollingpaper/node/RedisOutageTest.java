package io.rollingpaper.node;

import io.rollingpaper.node.support.Http;
import io.rollingpaper.node.support.RedisServer;
import io.rollingpaper.node.support.TestClient;
import io.rollingpaper.node.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static io.rollingpaper.node.support.TestClient.put;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis goes away under a live session: ops are refused with {@code unavailable} (never half
 * applied), readiness fails, the socket stays open; when Redis is back — empty, its history lost —
 * the session gets a snapshot of a new epoch and writes again.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class RedisOutageTest {
  RedisServer redis;
  TestNode node;

  @BeforeEach
  void start(VertxTestContext ctx) {
    redis = RedisServer.start();
    TestNode.start(Map.of("REDIS_URL", redis.url(), "PAPER_CHECK_INTERVAL", "300ms"))
        .onComplete(ctx.succeeding(started -> {
          node = started;
          ctx.completeNow();
        }));
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    node.stop().onComplete(ignored -> {
      redis.close();
      ctx.completeNow();
    });
  }

  @Test
  void anOutageRefusesOpsAsUnavailableAndARestartedEmptyRedisGivesANewEpoch(Vertx vertx, VertxTestContext ctx) {
    Http http = new Http(vertx, node.port());
    TestClient.join(vertx, node.port(), "/ws/outage?user=ann").compose(ann -> ann.apply(put("n1"))
        .compose(ack -> vertx.executeBlocking(() -> {
          redis.kill();
          return null;
        }))
        .compose(killed -> ann.error(ann.op(put("n2"))))
        .compose(error -> {
          assertThat(error.getString("code")).isEqualTo("unavailable");
          return eventually(vertx, () -> http.get("/health/ready").map(r -> r.status() == 503));
        })
        .compose(notReady -> {
          assertThat(ann.closed().isComplete()).as("the socket stays open").isFalse();
          return vertx.executeBlocking(() -> {
            redis.startEmpty();
            return null;
          });
        })
        .compose(started -> eventually(vertx, () -> http.get("/health/ready").map(r -> r.status() == 200)))
        .compose(ready -> ann.waitFor(f -> "snapshot".equals(f.getString("type"))
            && !f.getString("epoch").equals(ann.frames().get(0).getString("epoch"))))
        .compose(fresh -> {
          assertThat(fresh.getLong("seq")).isZero();
          return ann.apply(put("n3"));
        })
        .map(ack -> {
          assertThat(ack.getLong("seq")).isEqualTo(1);
          return null;
        })).onComplete(ctx.succeedingThenComplete());
  }

  /** Polls until the check holds; the test's timeout bounds it. */
  static Future<Void> eventually(Vertx vertx, Supplier<Future<Boolean>> check) {
    return check.get().transform(result -> {
      if (result.succeeded() && result.result()) {
        return Future.succeededFuture();
      }
      Promise<Void> again = Promise.promise();
      vertx.setTimer(100, t -> eventually(vertx, check).onComplete(again));
      return again.future();
    });
  }
}
