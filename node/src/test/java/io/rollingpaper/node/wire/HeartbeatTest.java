package io.rollingpaper.node.wire;

import io.rollingpaper.node.support.RawWebSocket;
import io.rollingpaper.node.support.TestClient;
import io.rollingpaper.node.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** PROTOCOL.md "Liveness", with a 300 ms interval and a 1 s timeout instead of 25 s and 10 s (a tighter timeout closes live clients on a machine loaded 10x over its cores). */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class HeartbeatTest {
  private static final long INTERVAL_MS = 300;
  static TestNode node;

  @BeforeAll
  static void start(VertxTestContext ctx) {
    TestNode.start(Map.of("HEARTBEAT_INTERVAL", INTERVAL_MS + "ms", "HEARTBEAT_TIMEOUT", "1s",
            "RATE_SIGNALS_PER_SECOND", "1000", "RATE_SIGNALS_BURST", "1000"))
        .onComplete(ctx.succeeding(started -> {
          node = started;
          ctx.completeNow();
        }));
  }

  @AfterAll
  static void stop(VertxTestContext ctx) {
    node.stop().onComplete(ctx.succeedingThenComplete());
  }

  private static String paper() {
    return "hb-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void aPeerThatStopsAnsweringIsClosedWith1001AndLeavesPresence(Vertx vertx, VertxTestContext ctx) {
    String paper = paper();
    TestClient.join(vertx, node.port(), "/ws/" + paper + "?user=watcher").compose(watcher ->
        RawWebSocket.upgrade(vertx, node.port(), "/ws/" + paper + "?user=ghost", Map.of()).compose(ghost -> {
          // Half-open: the TCP connection stays up, but nothing comes back (no pong, no frame).
          ghost.stopAnswering();
          Future<JsonObject> left = watcher.waitFor(f -> "presence".equals(f.getString("type"))
              && f.getJsonArray("left", new JsonArray()).contains("ghost"));
          return Future.all(left, ghost.ended()).map(ghost).eventually(ghost::close).eventually(watcher::close);
        })).onComplete(ctx.succeeding(ghost -> ctx.verify(() -> {
      assertThat(ghost.count(RawWebSocket.PING)).as("WebSocket pings the ghost got").isPositive();
      assertThat(ghost.closeCode()).isEqualTo(1001);
      ctx.completeNow();
    })));
  }

  @Test
  void aQuietLiveClientGetsPingFramesAndIsKept(Vertx vertx, VertxTestContext ctx) {
    // Vert.x's client answers WebSocket pings itself, as browsers do.
    TestClient.join(vertx, node.port(), "/ws/" + paper() + "?user=quiet").compose(quiet ->
        quiet.waitFor(f -> "ping".equals(f.getString("type")))
            .compose(first -> quiet.waitFor(f -> "ping".equals(f.getString("type")) && f != first))
            .compose(second -> quiet.apply(TestClient.put("n1", "text", "still here")))
            .map(acked -> quiet)
            .eventually(quiet::close))
        .onComplete(ctx.succeeding(quiet -> ctx.verify(() -> {
          assertThat(quiet.frames().stream().filter(f -> "ping".equals(f.getString("type"))).count())
              .isGreaterThanOrEqualTo(2);
          ctx.completeNow();
        })));
  }

  @Test
  void aClientThatIsSentFramesGetsNoPingFrame(Vertx vertx, VertxTestContext ctx) {
    String paper = paper();
    TestClient.join(vertx, node.port(), "/ws/" + paper + "?user=busy").compose(busy ->
        TestClient.join(vertx, node.port(), "/ws/" + paper + "?user=talker").compose(talker -> {
          // A signal every 50 ms for five intervals: the busy client is never quiet for an interval.
          Promise<Void> done = Promise.promise();
          int[] sent = {0};
          vertx.setPeriodic(50, id -> {
            talker.send(new JsonObject().put("type", "signal").put("data", sent[0]++).encode());
            if (sent[0] * 50 > 5 * INTERVAL_MS) {
              vertx.cancelTimer(id);
              done.complete();
            }
          });
          int last = (int) (5 * INTERVAL_MS / 50);
          return done.future()
              .compose(ignored -> busy.waitFor(f -> "signal".equals(f.getString("type"))
                  && Integer.valueOf(last).equals(f.getInteger("data"))))
              .map(ignored -> busy)
              .eventually(talker::close).eventually(busy::close);
        })).onComplete(ctx.succeeding(busy -> ctx.verify(() -> {
      assertThat(busy.frames()).noneMatch(f -> "ping".equals(f.getString("type")));
      ctx.completeNow();
    })));
  }
}
