package io.rollingpaper.node.lifecycle;

import io.rollingpaper.node.support.Http;
import io.rollingpaper.node.support.PostgresPerClass;
import io.rollingpaper.node.support.RedisPerClass;
import io.rollingpaper.node.support.RedisProcess;
import io.rollingpaper.node.support.WebhookReceiver;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static io.rollingpaper.node.support.TestClient.put;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 11: a completion's webhook survives the SIGKILL of the node that answered {@code complete}.
 * Two node PROCESSES share a real Redis and a real PostgreSQL; the receiver refuses connections while
 * node A completes the paper and dies. The event can then only come from the outbox row committed with
 * the paper, delivered by node B (after A's lease, if A held one, runs out).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class WebhookSurvivesNodeKillTest {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookSurvivesNodeKillTest.class);
  private static final String SECRET = "webhook-secret-that-is-long-enough-0123456789";
  private static final String ROW = "SELECT delivery_id, state, attempts, lease_owner, lease_until > now() AS leased,"
      + " last_error FROM webhook_outbox WHERE paper_id = $1 AND type = 'paper.completed'";

  @RegisterExtension
  static final RedisPerClass REDIS = new RedisPerClass();
  @RegisterExtension
  static final PostgresPerClass PG = new PostgresPerClass();

  private final List<Process> processes = new ArrayList<>();
  private WebhookReceiver receiver;
  private int receiverPort;
  private String database;
  private Pool sql;
  private String paper;

  /** The receiver's port is reserved and then closed: the webhook URL refuses connections until it is back. */
  @BeforeEach
  void receiverDown(Vertx vertx, VertxTestContext ctx) {
    paper = "k-" + UUID.randomUUID().toString().substring(0, 8);
    database = PG.freshDatabase();
    sql = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(database)).using(vertx).build();
    receiver = new WebhookReceiver(vertx);
    receiver.listen().compose(listening -> {
      receiverPort = listening.port();
      return listening.close();
    }).onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void stop(Vertx vertx, VertxTestContext ctx) {
    Future<Void> all = receiver.close().otherwiseEmpty();
    for (Process process : processes) {
      all = all.eventually(() -> stopProcess(vertx, process));
    }
    all.eventually(sql::close).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aCompletionsEventArrivesOnceSignedFromTheSurvivingNodeAfterTheAnsweringNodeIsKilled(Vertx vertx,
                                                                                            VertxTestContext ctx)
      throws IOException {
    int portA = RedisProcess.freePort();
    int portB = RedisProcess.freePort();
    Process nodeA = startNode("node-a", portA);
    Process nodeB = startNode("node-b", portB);
    Http httpA = new Http(vertx, portA);
    String base = "/api/papers/" + paper;
    long[] killedAt = new long[1];
    JsonObject[] finalPaper = new JsonObject[1];
    Future.all(untilReady(vertx, httpA), untilReady(vertx, new Http(vertx, portB)))
        .compose(ready -> httpA.post(base + "/ops", new JsonObject().put("op", put("n1", "t", "kept")).encode()))
        .compose(op -> {
          assertThat(op.status()).isEqualTo(200);
          return httpA.post(base + "/complete", "");
        })
        .compose(completed -> {
          assertThat(completed.status()).as("the archive committed the paper and its outbox row").isEqualTo(200);
          finalPaper[0] = completed.json();
          nodeA.destroyForcibly();
          return Future.fromCompletionStage(nodeA.onExit(), vertx.getOrCreateContext());
        })
        .compose(dead -> {
          killedAt[0] = System.nanoTime();
          assertThat(dead.exitValue()).as("SIGKILL").isEqualTo(128 + 9);
          // Committed with the paper before complete answered, so it is there the moment A is gone.
          return sql.preparedQuery(ROW).execute(Tuple.of(paper)).map(rows -> {
            assertThat(rows.size()).as("the event is in the shared outbox when A dies").isEqualTo(1);
            return rows.iterator().next();
          });
        })
        .compose(atKill -> {
          LOG.info("at the kill: attempts={} lease_owner={} leased={}", atKill.getInteger("attempts"),
              atKill.getString("lease_owner"), atKill.getBoolean("leased"));
          return outboxRow(vertx, row -> row.getInteger("attempts") >= 1 && row.getString("last_error") != null);
        })
        .compose(failedWhileDown -> {
          LOG.info("while the receiver was down: attempts={} lease_owner={} leased={} last_error={}",
              failedWhileDown.getInteger("attempts"), failedWhileDown.getString("lease_owner"),
              failedWhileDown.getBoolean("leased"), failedWhileDown.getString("last_error"));
          assertThat(receiver.received()).as("nothing reached the receiver while it was down").isEmpty();
          return receiver.listen(receiverPort);
        })
        .compose(up -> {
          long upAt = System.nanoTime();
          return poll(vertx, () -> receiver.received().stream().anyMatch(r -> r.status() / 100 == 2))
              .compose(arrived -> {
                WebhookReceiver.Received event = receiver.received().get(0);
                LOG.info("FIGURE webhook delivered {} ms after node A was SIGKILLed ({} ms after the receiver came up)",
                    (event.atNanos() - killedAt[0]) / 1_000_000, (event.atNanos() - upAt) / 1_000_000);
                return outboxRow(vertx, row -> "delivered".equals(row.getString("state")))
                    .map(row -> {
                      assertThat(row.getString("delivery_id")).isEqualTo(event.deliveryId());
                      return event;
                    });
              });
        })
        .map(event -> {
          JsonObject body = new JsonObject(event.body());
          assertThat(body.getString("type")).isEqualTo("paper.completed");
          assertThat(body.getJsonObject("paper")).as("the final paper complete answered").isEqualTo(finalPaper[0]);
          assertThat(event.signature()).isEqualTo(expectedSignature(event.body()));
          assertThat(event.deliveryId()).isNotBlank();
          assertThat(nodeB.isAlive()).as("node B delivered it").isTrue();
          // The row is 'delivered': no node claims it again, so these counts are final.
          assertThat(receiver.received()).as("one event, under one delivery id")
              .allSatisfy(r -> assertThat(r.deliveryId()).isEqualTo(event.deliveryId()));
          assertThat(receiver.deliveredCount(event.deliveryId())).as("answered 2xx once").isEqualTo(1);
          assertThat(receiver.maxInFlightPerId()).as("never two POSTs of one delivery at once").isEqualTo(1);
          return null;
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  /** A node process of its own (the main class path, no test classes), logging to target/. */
  private Process startNode(String nodeId, int port) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", mainClassPath(), "io.rollingpaper.node.Main").redirectErrorStream(true)
        .redirectOutput(new File("target/" + getClass().getSimpleName() + "-" + nodeId + ".log"));
    Map<String, String> env = builder.environment();
    env.clear();
    env.put("NODE_ID", nodeId);
    env.put("PORT", Integer.toString(port));
    env.put("HOST", "127.0.0.1");
    env.put("AUTH_DISABLED", "true");
    env.put("REDIS_URL", REDIS.url());
    env.put("ARCHIVE_DATABASE_URL", database);
    env.put("WEBHOOK_URL", "http://127.0.0.1:" + receiverPort + "/hook");
    env.put("WEBHOOK_SECRET", SECRET);
    env.put("WEBHOOK_POLL_INTERVAL", "200ms");
    env.put("WEBHOOK_RETRY_BASE", "200ms");
    env.put("WEBHOOK_RETRY_MAX", "1s");
    // The lease is 2 x timeout + 5 s: what B waits at most if A died holding the row.
    env.put("WEBHOOK_TIMEOUT", "1s");
    env.put("WEBHOOK_MAX_ATTEMPTS", "1000");
    env.put("DRAIN_READY_DELAY", "10ms");
    env.put("DRAIN_CLOSE_WINDOW", "10ms");
    env.put("DRAIN_TIMEOUT", "1s");
    Process process = builder.start();
    processes.add(process);
    return process;
  }

  private static String mainClassPath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.endsWith("test-classes"))
        .collect(Collectors.joining(File.pathSeparator));
  }

  /** SIGTERM, then SIGKILL if it has not exited within 10 s; never fails. */
  private static Future<Void> stopProcess(Vertx vertx, Process process) {
    if (!process.isAlive()) {
      return Future.succeededFuture();
    }
    process.destroy();
    return Future.fromCompletionStage(process.onExit(), vertx.getOrCreateContext())
        .timeout(10, TimeUnit.SECONDS)
        .<Void>mapEmpty()
        .recover(slow -> {
          process.destroyForcibly();
          return Future.succeededFuture();
        });
  }

  private static String expectedSignature(String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Polls the paper's completion row in the outbox until {@code condition} holds (20 s at most). */
  private Future<Row> outboxRow(Vertx vertx, java.util.function.Predicate<Row> condition) {
    Promise<Row> found = Promise.promise();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    checkRow(vertx, condition, deadline, found);
    return found.future();
  }

  private void checkRow(Vertx vertx, java.util.function.Predicate<Row> condition, long deadline, Promise<Row> found) {
    sql.preparedQuery(ROW).execute(Tuple.of(paper)).onComplete(result -> {
      Optional<Row> row = result.succeeded() && result.result().size() == 1
          ? Optional.of(result.result().iterator().next()) : Optional.empty();
      if (row.isPresent() && condition.test(row.get())) {
        found.complete(row.get());
      } else if (System.nanoTime() > deadline) {
        found.fail("the outbox row of " + paper + " never matched: "
            + (result.succeeded() ? row.map(Row::toJson).orElse(null) : result.cause()));
      } else {
        vertx.setTimer(50, t -> checkRow(vertx, condition, deadline, found));
      }
    });
  }

  /** Polls every 20 ms until the condition holds; fails after 30 s (a lease is 7 s here). */
  private static Future<Void> poll(Vertx vertx, Supplier<Boolean> condition) {
    Promise<Void> done = Promise.promise();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    vertx.setPeriodic(0, 20, id -> {
      if (condition.get()) {
        vertx.cancelTimer(id);
        done.tryComplete();
      } else if (System.nanoTime() > deadline) {
        vertx.cancelTimer(id);
        done.tryFail("timed out: the event never arrived");
      }
    });
    return done.future();
  }

  private static Future<Void> untilReady(Vertx vertx, Http health) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    Promise<Void> ready = Promise.promise();
    checkReady(vertx, health, deadline, ready);
    return ready.future();
  }

  private static void checkReady(Vertx vertx, Http health, long deadline, Promise<Void> ready) {
    health.get("/health/ready").onComplete(result -> {
      if (result.succeeded() && result.result().status() == 200) {
        ready.complete();
      } else if (System.nanoTime() > deadline) {
        ready.fail("a node process did not become ready");
      } else {
        vertx.setTimer(200, t -> checkReady(vertx, health, deadline, ready));
      }
    });
  }
}
