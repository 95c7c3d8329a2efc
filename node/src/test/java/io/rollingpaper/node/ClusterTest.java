package io.rollingpaper.node;

import io.rollingpaper.node.backend.redis.SilentPut;
import io.rollingpaper.node.support.Http;
import io.rollingpaper.node.support.RedisPerClass;
import io.rollingpaper.node.support.RedisProcess;
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
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.rollingpaper.node.ProtocolContract.joined;
import static io.rollingpaper.node.ProtocolContract.left;
import static io.rollingpaper.node.support.TestClient.patch;
import static io.rollingpaper.node.support.TestClient.put;
import static org.assertj.core.api.Assertions.assertThat;

/** Three nodes on one real Redis: every client on every node sees one order, exactly once. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class ClusterTest {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterTest.class);
  @RegisterExtension
  static final RedisPerClass REDIS = new RedisPerClass();
  final List<TestNode> nodes = new ArrayList<>();
  String paper;

  @BeforeEach
  void startNodes(VertxTestContext ctx) {
    paper = "c-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> env = Map.of("REDIS_URL", REDIS.url(), "PRESENCE_TTL", "3s", "PAPER_CHECK_INTERVAL", "500ms");
    TestNode.start(env).compose(a -> TestNode.start(env).compose(b -> TestNode.start(env).map(c -> List.of(a, b, c))))
        .onComplete(ctx.succeeding(started -> {
          nodes.addAll(started);
          ctx.completeNow();
        }));
  }

  @AfterEach
  void stopNodes(VertxTestContext ctx) {
    Future.all(nodes.stream().map(TestNode::stop).toList()).onComplete(ctx.succeedingThenComplete());
  }

  Future<TestClient> join(Vertx vertx, int node, String user) {
    return TestClient.join(vertx, nodes.get(node).port(), "/ws/" + paper + "?user=" + user);
  }

  /** Every delta the client got after its first frame, as seqs, must run from that frame's seq + 1 to {@code last}. */
  static void assertContiguous(TestClient client, long last) {
    long from = client.frames().get(0).getLong("seq");
    List<Long> seqs = client.deltas().stream().map(d -> d.getLong("seq")).toList();
    assertThat(seqs).hasSize((int) (last - from));
    for (int i = 0; i < seqs.size(); i++) {
      assertThat(seqs.get(i)).isEqualTo(from + 1 + i);
    }
  }

  @Test
  void concurrentWritersOnThreeNodesAllSeeOneGaplessOrderAndConverge(Vertx vertx, VertxTestContext ctx) {
    int perClient = 100;
    List<Future<TestClient>> joins = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      joins.add(join(vertx, i % 3, "u" + i));
    }
    Future.all(joins).compose(all -> {
      List<TestClient> clients = all.list();
      int total = perClient * clients.size();
      for (int n = 0; n < perClient; n++) {
        for (int c = 0; c < clients.size(); c++) {
          String id = "u" + c + "-" + (n % 3);
          clients.get(c).op(n < 3 ? put(id, "v", n) : patch(id, new JsonObject().put("v", n)));
        }
      }
      return Future.all(clients.stream().map(c -> c.seq(total)).toList()).compose(done -> {
        clients.forEach(c -> assertContiguous(c, total));
        List<Object> orders = clients.stream().map(c -> c.deltas().stream()
            .map(d -> d.getString("cid")).toList()).map(Object.class::cast).toList();
        assertThat(orders).as("every client saw the same order").allMatch(o -> o.equals(orders.get(0)));
        return Future.all(nodes.stream().map(node -> new Http(vertx, node.port()).get("/api/papers/" + paper)).toList());
      }).map(replies -> {
        List<Http.Reply> bodies = replies.list();
        JsonObject first = bodies.get(0).json();
        assertThat(first.getLong("seq")).isEqualTo(total);
        assertThat(first.getJsonArray("notes")).hasSize(18);
        bodies.forEach(reply -> assertThat(reply.json().getJsonArray("notes")).isEqualTo(first.getJsonArray("notes")));
        return null;
      });
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void signalsAndPresenceCrossNodes(Vertx vertx, VertxTestContext ctx) {
    join(vertx, 0, "ann").compose(ann -> join(vertx, 1, "bob").compose(bob -> ann.waitFor(joined("bob"))
        .compose(p -> join(vertx, 2, "bob"))
        .compose(bob2 -> {
          bob.send("{\"type\":\"signal\",\"data\":{\"typing\":true}}");
          return ann.waitForType("signal").compose(signal -> {
            assertThat(signal.getString("by")).isEqualTo("bob");
            return bob2.waitForType("signal");
          }).compose(signal -> bob.close())
              .compose(closed -> {
                assertThat(ann.frames().stream().filter(left("bob"))).as("bob is still on node 2").isEmpty();
                return bob2.close();
              })
              .compose(closed -> ann.waitFor(left("bob")));
        }))).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void killingThePubSubConnectionDuringWritesLeavesNoGap(Vertx vertx, VertxTestContext ctx) {
    int total = 400;
    Redis admin = Redis.createClient(vertx, REDIS.url());
    join(vertx, 0, "writer").compose(writer -> join(vertx, 1, "r1").compose(r1 -> join(vertx, 2, "r2").compose(r2 -> {
      for (int i = 0; i < total; i++) {
        writer.op(put("n" + (i % 10), "v", i));
      }
      Future<?> kills = writer.seq(50)
          .compose(x -> admin.send(Request.cmd(Command.CLIENT).arg("KILL").arg("TYPE").arg("pubsub")))
          .compose(x -> writer.seq(150))
          .compose(x -> admin.send(Request.cmd(Command.CLIENT).arg("KILL").arg("TYPE").arg("pubsub")))
          .compose(x -> writer.seq(250))
          .compose(x -> admin.send(Request.cmd(Command.CLIENT).arg("KILL").arg("TYPE").arg("pubsub")));
      return kills.compose(x -> Future.all(writer.seq(total), r1.seq(total), r2.seq(total))).map(x -> {
        for (TestClient client : List.of(writer, r1, r2)) {
          List<JsonObject> snapshots = client.frames().stream()
              .filter(f -> "snapshot".equals(f.getString("type"))).toList();
          assertThat(snapshots).as("history covered every gap: no second snapshot").hasSize(1);
          assertContiguous(client, total);
        }
        return null;
      });
    }))).eventually(admin::close).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aNodeSubscribesToAPaperWithItsFirstSessionAndLeavesAfterItsLast(Vertx vertx, VertxTestContext ctx) {
    Redis admin = Redis.createClient(vertx, REDIS.url());
    String channel = "rp:{" + paper + "}:ch";
    Request numsub = Request.cmd(Command.PUBSUB).arg("NUMSUB").arg(channel);
    admin.send(numsub).compose(before -> {
      assertThat(before.get(1).toInteger()).isZero();
      return join(vertx, 0, "ann").compose(ann -> join(vertx, 0, "ann2").compose(ann2 -> join(vertx, 1, "bob")
          .compose(bob -> admin.send(numsub).compose(during -> {
            assertThat(during.get(1).toInteger()).as("one subscription per node, however many sessions").isEqualTo(2);
            return admin.send(Request.cmd(Command.PUBSUB).arg("NUMPAT"));
          }).compose(patterns -> {
            assertThat(patterns.toInteger()).as("never a pattern subscription").isZero();
            return Future.all(ann.close(), ann2.close(), bob.close());
          }))));
    }).compose(closed -> RedisOutageTest.eventually(vertx,
            () -> admin.send(numsub).map(after -> after.get(1).toInteger() == 0)))
        .eventually(admin::close).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void manySessionsClosingAtOnceDoNotDisturbTheRelayForTheOthers(Vertx vertx, VertxTestContext ctx) {
    int total = 300;
    List<Future<TestClient>> leavers = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      leavers.add(join(vertx, 1, "leaver" + i));
    }
    Future.all(leavers).compose(all -> join(vertx, 1, "watcher").compose(watcher -> join(vertx, 0, "writer")
        .compose(writer -> {
          for (int i = 0; i < total; i++) {
            writer.op(put("n" + (i % 10), "v", i));
          }
          // Everyone leaves at once while deltas and presence changes flow to them.
          return writer.seq(total / 3).compose(some -> {
            all.<TestClient>list().forEach(TestClient::close);
            return watcher.seq(total);
          }).map(last -> {
            assertThat(watcher.frames().stream().filter(f -> "snapshot".equals(f.getString("type"))))
                .as("no fresh snapshot: the subscription kept delivering").hasSize(1);
            assertContiguous(watcher, total);
            return null;
          });
        }))).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aLostLastDeltaIsFoundByThePeriodicCheck(Vertx vertx, VertxTestContext ctx) {
    Redis admin = Redis.createClient(vertx, REDIS.url());
    join(vertx, 0, "ann").compose(ann -> join(vertx, 1, "bob").compose(bob -> ann.apply(put("n1", "v", 1))
        .compose(ack -> bob.seq(1))
        .compose(seen -> silentPut(admin, ann.frames().get(0).getString("epoch")))
        .compose(applied -> Future.all(ann.seq(2), bob.seq(2)))
        .map(all -> {
          assertThat(bob.deltas()).extracting(d -> d.getLong("seq")).containsExactly(1L, 2L);
          assertThat(bob.deltas().get(1).getJsonObject("op").getJsonObject("note").getString("id")).isEqualTo("ghost");
          return null;
        }))).eventually(admin::close).onComplete(ctx.succeedingThenComplete());
  }

  /** Applies a put with the node's own function but publishes nothing: a delta whose message was lost. */
  private Future<Void> silentPut(Redis admin, String epoch) {
    return admin.send(SilentPut.of(paper, "ghost")).map(reply -> {
      assertThat(reply.get(0).toString()).isEqualTo("ok");
      return null;
    });
  }

  @Test
  void aKilledNodesUsersLeaveThePresenceOfOtherNodes(Vertx vertx, VertxTestContext ctx) throws IOException {
    int port = RedisProcess.freePort();
    ProcessBuilder builder = new ProcessBuilder("java", "-cp", System.getProperty("java.class.path"),
        "io.rollingpaper.node.Main").redirectErrorStream(true)
        .redirectOutput(new java.io.File("target/crashing-node.log"));
    Map<String, String> env = builder.environment();
    env.put("PORT", Integer.toString(port));
    env.put("HOST", "127.0.0.1");
    env.put("REDIS_URL", REDIS.url());
    env.put("PRESENCE_TTL", "3s");
    env.put("PAPER_CHECK_INTERVAL", "1s");
    env.put("AUTH_DISABLED", "true");
    Process crashing = builder.start();
    Http health = new Http(vertx, port);
    untilReady(vertx, health, System.currentTimeMillis() + 30_000)
        .compose(ready -> join(vertx, 0, "watcher"))
        .compose(watcher -> TestClient.join(vertx, port, "/ws/" + paper + "?user=doomed")
            .compose(doomed -> watcher.waitFor(joined("doomed")))
            .compose(joinedFrame -> {
              crashing.destroyForcibly();
              long killedAt = System.currentTimeMillis();
              return watcher.waitFor(left("doomed")).map(leftFrame -> {
                long seconds = (System.currentTimeMillis() - killedAt) / 1000;
                LOG.info("a SIGKILLed node's user left the presence after {} s", seconds);
                assertThat(seconds).isLessThan(30);
                return null;
              });
            }))
        .eventually(() -> {
          crashing.destroyForcibly();
          return Future.succeededFuture();
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  private static Future<Void> untilReady(Vertx vertx, Http health, long deadline) {
    return health.get("/health/ready").transform(result -> {
      if (result.succeeded() && result.result().status() == 200) {
        return Future.succeededFuture();
      }
      if (System.currentTimeMillis() > deadline) {
        return Future.failedFuture("the node process did not become ready");
      }
      Promise<Void> retry = Promise.promise();
      vertx.setTimer(200, t -> untilReady(vertx, health, deadline).onComplete(retry));
      return retry.future();
    });
  }
}
