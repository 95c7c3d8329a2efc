package io.rollingpaper.node;

import io.rollingpaper.node.support.Handshake;
import io.rollingpaper.node.support.TestClient;
import io.rollingpaper.node.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.rollingpaper.node.support.TestClient.put;
import static org.assertj.core.api.Assertions.assertThat;

/** Per-user budgets on one node: ops shared by all of a user's sockets, and a cap on their sockets. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class UserBudgetTest {
  TestNode node;

  @AfterEach
  void stop(VertxTestContext ctx) {
    (node == null ? Future.<Void>succeededFuture() : node.stop()).onComplete(ctx.succeedingThenComplete());
  }

  Future<TestClient> join(Vertx vertx, String user) {
    return TestClient.join(vertx, node.port(), "/ws/budget?user=" + user);
  }

  /** Sends {@code count} ops and answers how many were accepted once every one has its ack or refusal. */
  static Future<Integer> accepted(TestClient client, int count) {
    List<Future<Boolean>> answers = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String cid = client.op(put("n" + i + "-" + System.nanoTime()));
      answers.add(client.waitFor(f -> cid.equals(f.getString("cid"))).map(f -> "delta".equals(f.getString("type"))));
    }
    return Future.all(answers).map(all -> (int) answers.stream().filter(Future::result).count());
  }

  @Test
  void oneUsersSocketsShareOneOpsBudget(Vertx vertx, VertxTestContext ctx) {
    // Each socket alone could send all its ops; the user's budget is 10 at once and 1 a second after.
    TestNode.start(Map.of("RATE_OPS_PER_SECOND", "1000", "RATE_OPS_BURST", "1000", "RATE_USER_OPS_PER_SECOND", "1",
            "RATE_USER_OPS_BURST", "10", "RATE_LIMIT_CLOSE_AFTER", "1000"))
        .compose(started -> {
          node = started;
          List<Future<TestClient>> sockets = new ArrayList<>();
          for (int i = 0; i < 5; i++) {
            sockets.add(join(vertx, "ann"));
          }
          return Future.all(sockets).map(all -> sockets.stream().map(Future::result).toList());
        })
        .compose(anns -> Future.all(anns.stream().map(ann -> accepted(ann, 10)).toList()))
        .compose(counts -> {
          int total = counts.<Integer>list().stream().mapToInt(Integer::intValue).sum();
          assertThat(total).as("ops of one user over 5 sockets, 50 sent").isBetween(10, 13);
          return join(vertx, "bob").compose(bob -> accepted(bob, 10));
        })
        .onComplete(ctx.succeeding(bobs -> ctx.verify(() -> {
          assertThat(bobs).as("another user's budget is their own").isEqualTo(10);
          ctx.completeNow();
        })));
  }

  @Test
  void aUserPastTheConnectionCapIsRefusedInBandAndAClosedSocketMakesRoom(Vertx vertx, VertxTestContext ctx) {
    List<TestClient> anns = new ArrayList<>();
    TestNode.start(Map.of("MAX_CONNECTIONS_PER_USER", "3"))
        .compose(started -> {
          node = started;
          return join(vertx, "ann").compose(a -> join(vertx, "ann").map(b -> List.of(a, b)))
              .compose(two -> join(vertx, "ann").map(c -> {
                anns.addAll(two);
                anns.add(c);
                return null;
              }));
        })
        .compose(three -> Handshake.attempt(vertx, node.port(), "/ws/other?user=ann"))
        .compose(fourth -> {
          assertThat(fourth.outcome()).as("a fourth socket of ann, on any paper").isEqualTo("4429 rate_limited");
          assertThat(fourth.frames().get(0).getString("message")).contains("user");
          return Handshake.attempt(vertx, node.port(), "/ws/budget?user=bob");
        })
        .compose(bob -> {
          assertThat(bob.outcome()).as("another user").isEqualTo("admitted");
          return anns.get(0).close();
        })
        .compose(closed -> retryUntilAdmitted(vertx, 50))
        .onComplete(ctx.succeeding(outcome -> ctx.verify(() -> {
          assertThat(outcome).as("ann after closing one socket").isEqualTo("admitted");
          ctx.completeNow();
        })));
  }

  /** The server learns of the close a moment after the client: ask again until admitted, a bounded number of times. */
  private Future<String> retryUntilAdmitted(Vertx vertx, int attempts) {
    return Handshake.attempt(vertx, node.port(), "/ws/other?user=ann").compose(h ->
        h.admitted() || attempts <= 1 ? Future.succeededFuture(h.outcome()) : retryUntilAdmitted(vertx, attempts - 1));
  }
}
