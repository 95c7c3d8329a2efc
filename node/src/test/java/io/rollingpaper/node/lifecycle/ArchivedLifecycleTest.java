package io.rollingpaper.node.lifecycle;

import io.rollingpaper.node.support.Http;
import io.rollingpaper.node.support.PostgresPerClass;
import io.rollingpaper.node.support.RedisAdmin;
import io.rollingpaper.node.support.RedisPerClass;
import io.rollingpaper.node.support.TestClient;
import io.rollingpaper.node.support.TestNode;
import io.rollingpaper.node.support.WebhookReceiver;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static io.rollingpaper.node.support.TestClient.put;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A paper's life with the archive, against real processes: Redis, PostgreSQL, nodes and an HTTP webhook
 * receiver. The figures (complete with the archive, webhook latency, idle move and return) are logged.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class ArchivedLifecycleTest {
  private static final Logger LOG = LoggerFactory.getLogger(ArchivedLifecycleTest.class);
  private static final String SECRET = "webhook-secret-that-is-long-enough-0123456789";

  @RegisterExtension
  static final RedisPerClass REDIS = new RedisPerClass();
  @RegisterExtension
  static final PostgresPerClass PG = new PostgresPerClass();

  private final List<TestNode> nodes = new ArrayList<>();
  private WebhookReceiver receiver;
  private String database;
  private String paper;

  @BeforeEach
  void receiver(Vertx vertx, VertxTestContext ctx) {
    paper = "a-" + UUID.randomUUID().toString().substring(0, 8);
    database = PG.freshDatabase();
    receiver = new WebhookReceiver(vertx);
    receiver.listen().onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    Future<Void> all = receiver.close();
    for (TestNode node : nodes) {
      all = all.eventually(node::stop);
    }
    all.onComplete(ctx.succeedingThenComplete());
  }

  private Future<TestNode> node(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>();
    env.put("REDIS_URL", REDIS.url());
    env.put("ARCHIVE_DATABASE_URL", database);
    env.put("WEBHOOK_URL", receiver.url());
    env.put("WEBHOOK_SECRET", SECRET);
    env.put("WEBHOOK_POLL_INTERVAL", "200ms");
    env.putAll(extra);
    return TestNode.start(env).map(started -> {
      nodes.add(started);
      return started;
    });
  }

  @Test
  void completeArchivesThePaperSignalsItOnceAndServesItFromTheArchiveAfterItsLiveCopyExpires(Vertx vertx,
                                                                                               VertxTestContext ctx) {
    node(Map.of("COMPLETED_TTL", "1s")).compose(node -> {
      Http http = new Http(vertx, node.port());
      String base = "/api/papers/" + paper;
      return TestClient.join(vertx, node.port(), "/ws/" + paper + "?user=ann").compose(ann -> ann.apply(put("n1", "t", "a"))
          .compose(ack -> ann.apply(put("n2", "t", 1.50))).compose(ack -> {
            long started = System.nanoTime();
            return http.post(base + "/complete", "").map(reply -> {
              LOG.info("FIGURE complete with the archive: {} ms", (System.nanoTime() - started) / 1_000_000);
              return reply;
            });
          }).compose(completed -> {
            assertThat(completed.status()).isEqualTo(200);
            long answeredAt = System.nanoTime();
            JsonObject finalPaper = completed.json();
            return poll(vertx, () -> receiver.received().stream().anyMatch(r -> r.body().contains(paper)))
                .compose(arrived -> {
                  WebhookReceiver.Received event = receiver.received().stream()
                      .filter(r -> r.body().contains(paper)).findFirst().orElseThrow();
                  LOG.info("FIGURE webhook delivered {} ms after complete answered",
                      (event.atNanos() - answeredAt) / 1_000_000);
                  JsonObject body = new JsonObject(event.body());
                  assertThat(body.getString("type")).isEqualTo("paper.completed");
                  assertThat(body.getJsonObject("paper").getLong("seq")).isEqualTo(2);
                  assertThat(event.signature()).startsWith("sha256=");
                  return http.post(base + "/complete", "").map(again -> {
                    assertThat(again.json()).isEqualTo(finalPaper);
                    return event;
                  });
                })
                .compose(event -> poll(vertx, () -> false, 1500).recover(waited -> Future.succeededFuture())
                    .compose(waited -> RedisAdmin.send(vertx, REDIS.url(),
                        Request.cmd(Command.EXISTS).arg("rp:{" + paper + "}:meta")))
                    .compose(exists -> {
                      assertThat(exists.toInteger()).as("the live copy expired").isZero();
                      assertThat(receiver.deliveredCount(event.deliveryId())).as("one completion, one event")
                          .isEqualTo(1);
                      assertThat(receiver.received().stream().filter(r -> r.body().contains(paper))).hasSize(1);
                      return http.get(base);
                    }))
                .compose(read -> {
                  assertThat(read.status()).isEqualTo(200);
                  assertThat(read.json().getString("status")).isEqualTo("completed");
                  assertThat(read.json().getJsonArray("notes")).isEqualTo(finalPaper.getJsonArray("notes"));
                  return http.post(base + "/complete", "");
                })
                .compose(again -> {
                  assertThat(again.status()).isEqualTo(200);
                  assertThat(again.json().getLong("seq")).isEqualTo(2);
                  assertThat(again.json().getString("status")).isEqualTo("completed");
                  return http.post(base + "/ops", new JsonObject().put("op", put("n3")).encode());
                })
                .compose(op -> {
                  assertThat(op.status()).as("a completed paper never comes back open").isEqualTo(409);
                  return TestClient.join(vertx, node.port(), "/ws/" + paper + "?user=bob");
                })
                .map(bob -> {
                  JsonObject snapshot = bob.frames().get(0);
                  assertThat(snapshot.getString("type")).isEqualTo("snapshot");
                  assertThat(snapshot.getString("status")).isEqualTo("completed");
                  assertThat(snapshot.getString("epoch")).isEqualTo(finalPaper.getString("epoch"));
                  assertThat(snapshot.getLong("seq")).isEqualTo(2);
                  return null;
                });
          }));
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void postgresDownAtCompleteIsUnavailableAndARetryAnswersTheSamePaper(Vertx vertx, VertxTestContext ctx) {
    node(Map.of()).compose(node -> {
      Http http = new Http(vertx, node.port());
      String base = "/api/papers/" + paper;
      return http.post(base + "/ops", new JsonObject().put("op", put("n1")).encode()).compose(op -> {
        assertThat(op.status()).isEqualTo(200);
        PG.server().kill();
        return http.post(base + "/complete", "");
      }).compose(down -> {
        assertThat(down.status()).isEqualTo(503);
        assertThat(down.json().getString("code")).isEqualTo("unavailable");
        PG.server().restart();
        return retryUntil(vertx, () -> http.post(base + "/complete", ""), reply -> reply.status() == 200);
      }).compose(done -> {
        assertThat(done.json().getString("status")).isEqualTo("completed");
        assertThat(done.json().getLong("seq")).isEqualTo(1);
        return poll(vertx, () -> receiver.received().stream().anyMatch(r -> r.body().contains(paper)));
      }).map(arrived -> {
        assertThat(receiver.received().stream().filter(r -> r.body().contains(paper))).hasSize(1);
        return null;
      });
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void anIdlePaperIsMovedOutByOneOfTwoRacingNodesAndComesBackWithItsEpochAndSeq(Vertx vertx, VertxTestContext ctx) {
    Map<String, String> idle = Map.of("PAPER_IDLE_TTL", "300ms", "PAPER_IDLE_SWEEP_INTERVAL", "100ms");
    String meta = "rp:{" + paper + "}:meta";
    node(idle).compose(first -> node(idle).compose(second ->
        TestClient.join(vertx, first.port(), "/ws/" + paper + "?user=ann").compose(ann -> ann.apply(put("n1", "t", "a"))
            .compose(ack -> ann.apply(put("n2", "t", "b")))
            .compose(ack -> ann.apply(TestClient.patch("n1", new JsonObject().put("t", "c"))))
            .compose(last -> {
              String epoch = ann.frames().get(0).getString("epoch");
              return ann.close().compose(closed -> {
                long leftAt = System.nanoTime();
                return poll(vertx, () -> false, 0).recover(x -> Future.succeededFuture())
                    .compose(x -> pollRedis(vertx, meta, 0)).map(gone -> {
                      LOG.info("FIGURE idle paper moved out {} ms after its last session left (idle ttl 300 ms)",
                          (System.nanoTime() - leftAt) / 1_000_000);
                      return epoch;
                    });
              });
            }))
            .compose(epoch -> {
              long started = System.nanoTime();
              return TestClient.join(vertx, second.port(), "/ws/" + paper + "?user=bob&since=3&epoch=" + epoch)
                  .compose(bob -> {
                    LOG.info("FIGURE idle paper brought back by a join in {} ms", (System.nanoTime() - started) / 1_000_000);
                    JsonObject first1 = bob.frames().get(0);
                    assertThat(first1.getString("epoch")).isEqualTo(epoch);
                    assertThat(first1.getLong("seq")).isEqualTo(3);
                    return new Http(vertx, second.port()).get("/api/papers/" + paper).compose(read -> {
                      assertThat(read.json().getJsonArray("notes")).hasSize(2);
                      assertThat(read.body()).contains("\"c\"");
                      return bob.apply(put("n3"));
                    });
                  }).map(ack -> {
                    assertThat(ack.getLong("seq")).as("seq continues in the same epoch").isEqualTo(4);
                    return null;
                  });
            }))).onComplete(ctx.succeedingThenComplete());
  }

  private static Future<Void> pollRedis(Vertx vertx, String key, int expected) {
    Promise<Void> done = Promise.promise();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    vertx.setPeriodic(20, id -> RedisAdmin.send(vertx, REDIS.url(), Request.cmd(Command.EXISTS).arg(key))
        .onSuccess(reply -> {
          if (reply.toInteger() == expected) {
            vertx.cancelTimer(id);
            done.tryComplete();
          } else if (System.nanoTime() > deadline) {
            vertx.cancelTimer(id);
            done.tryFail("timed out waiting for " + key);
          }
        }));
    return done.future();
  }

  private static Future<Void> poll(Vertx vertx, Supplier<Boolean> condition) {
    return poll(vertx, condition, 20_000);
  }

  /** Polls every 20 ms until the condition holds; fails after {@code timeoutMs}. */
  private static Future<Void> poll(Vertx vertx, Supplier<Boolean> condition, long timeoutMs) {
    Promise<Void> done = Promise.promise();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    if (condition.get()) {
      return Future.succeededFuture();
    }
    vertx.setPeriodic(20, id -> {
      if (condition.get()) {
        vertx.cancelTimer(id);
        done.tryComplete();
      } else if (System.nanoTime() > deadline) {
        vertx.cancelTimer(id);
        done.tryFail("timed out");
      }
    });
    return done.future();
  }

  private static Future<Http.Reply> retryUntil(Vertx vertx, Supplier<Future<Http.Reply>> call,
                                               java.util.function.Predicate<Http.Reply> ok) {
    Promise<Http.Reply> done = Promise.promise();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    attempt(vertx, call, ok, deadline, done);
    return done.future();
  }

  private static void attempt(Vertx vertx, Supplier<Future<Http.Reply>> call, java.util.function.Predicate<Http.Reply> ok,
                              long deadline, Promise<Http.Reply> done) {
    call.get().onComplete(result -> {
      if (result.succeeded() && ok.test(result.result())) {
        done.complete(result.result());
      } else if (System.nanoTime() > deadline) {
        done.fail("no success before the deadline: " + (result.succeeded() ? result.result().status() : result.cause()));
      } else {
        vertx.setTimer(100, t -> attempt(vertx, call, ok, deadline, done));
      }
    });
  }
}
