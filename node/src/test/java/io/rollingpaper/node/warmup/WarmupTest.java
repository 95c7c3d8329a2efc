package io.rollingpaper.node.warmup;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.rollingpaper.node.support.Http;
import io.rollingpaper.node.support.Poll;
import io.rollingpaper.node.support.RedisAdmin;
import io.rollingpaper.node.support.RedisServer;
import io.rollingpaper.node.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node is not ready while it warms up, is ready after, and the warm-up leaves nothing behind: no key in
 * Redis a node without warm-up would not leave, no subscription, no user-traffic metric, one INFO line.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class WarmupTest {
  /** The node's own loggers whose INFO lines would be noise; the Node's start-up lines are not counted. */
  private static final List<String> QUIET = List.of("io.rollingpaper.node.paper", "io.rollingpaper.node.session",
      "io.rollingpaper.node.backend", "io.rollingpaper.node.warmup", "io.rollingpaper.node.http",
      "io.rollingpaper.node.lifecycle", "io.rollingpaper.node.webhook");
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

  @BeforeEach
  void captureLogs() {
    logs.setContext(root.getLoggerContext());
    logs.start();
    root.addAppender(logs);
  }

  @AfterEach
  void stop() throws Exception {
    root.detachAppender(logs);
    for (AutoCloseable resource : resources) {
      resource.close();
    }
  }

  @Test
  void onRedisTheNodeIsReadyOnlyAfterItsWarmUpWhichLeavesNoKeyNoChannelAndOneLogLine(Vertx vertx,
                                                                                      VertxTestContext ctx) {
    RedisServer warmRedis = RedisServer.start();
    RedisServer coldRedis = RedisServer.start();
    resources.add(warmRedis);
    resources.add(coldRedis);
    started(TestNode.start(Map.of("REDIS_URL", coldRedis.url(), "WARMUP_DURATION", "0s")))
        .compose(cold -> started(TestNode.start(Map.of("REDIS_URL", warmRedis.url(), "WARMUP_DURATION", "2s"))))
        // Holds the warm-up's writes (not the readiness PING) so it cannot be over before the first check.
        .compose(warm -> RedisAdmin.send(vertx, warmRedis.url(), Request.cmd(Command.CLIENT).arg("PAUSE").arg(1500)
            .arg("WRITE")).map(warm))
        .compose(warm -> {
          Http http = new Http(vertx, warm.port());
          return http.get("/health/ready").compose(first -> {
            assertThat(first.status()).isEqualTo(503);
            assertThat(first.json().getString("status")).isEqualTo("warming up");
            return Poll.until(vertx, "ready after the warm-up", 30_000,
                () -> http.get("/health/ready").map(reply -> reply.status() == 200));
          }).compose(ready -> {
            assertThat(warmUpLines()).as("one INFO line, nothing else above DEBUG").singleElement()
                .satisfies(line -> assertThat(line).contains("warmed up in").contains("ops"));
            return Future.all(keys(vertx, warmRedis.url()), keys(vertx, coldRedis.url()));
          }).compose(keys -> {
            Set<String> warmKeys = keys.resultAt(0);
            Set<String> coldKeys = keys.resultAt(1);
            assertThat(warmKeys).as("the keys a node without warm-up leaves").isEqualTo(coldKeys);
            return Poll.until(vertx, "no warm-up channel subscribed", 5_000, () -> RedisAdmin.send(vertx,
                    warmRedis.url(), Request.cmd(Command.PUBSUB).arg("CHANNELS").arg("*warmup-*"))
                .map(channels -> channels.size() == 0));
          }).compose(unsubscribed -> http.get("/metrics")).map(metrics -> {
            assertThat(metrics.body()).contains("rpl_ops_accepted_total 0.0")
                .contains("rpl_connections 0.0")
                .doesNotContain("warmup");
            return null;
          });
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void inMemoryTheNodeIsReadyOnceWarmedUpAndItsMetricsShowNoTraffic(Vertx vertx, VertxTestContext ctx) {
    started(TestNode.start(Map.of("WARMUP_DURATION", "2s"))).compose(node -> {
      Http http = new Http(vertx, node.port());
      return Poll.until(vertx, "ready after the warm-up", 30_000,
          () -> http.get("/health/ready").map(reply -> {
            if (reply.status() != 200) {
              assertThat(reply.json().getString("status")).isEqualTo("warming up");
              assertThat(warmUpLines()).as("not ready before the warm-up ended").isEmpty();
            }
            return reply.status() == 200;
          })).compose(ready -> http.get("/metrics")).map(metrics -> {
        assertThat(warmUpLines()).singleElement().satisfies(line -> assertThat(line).contains("warmed up in"));
        assertThat(metrics.body()).contains("rpl_ops_accepted_total 0.0").contains("rpl_papers 0.0");
        return null;
      });
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aWarmUpThatCannotReachRedisEndsAndTheNodeIsReadyOnceRedisIsBack(Vertx vertx, VertxTestContext ctx) {
    RedisServer redis = RedisServer.start();
    resources.add(redis);
    started(TestNode.start(Map.of("REDIS_URL", redis.url(), "WARMUP_DURATION", "1s")))
        .compose(node -> vertx.executeBlocking(() -> {
          redis.kill();
          redis.startEmpty();
          return node;
        }))
        .compose(node -> Poll.until(vertx, "ready despite the interrupted warm-up", 30_000,
            () -> new Http(vertx, node.port()).get("/health/ready").map(reply -> reply.status() == 200)))
        .onComplete(ctx.succeedingThenComplete());
  }

  private Future<TestNode> started(Future<TestNode> starting) {
    return starting.map(node -> {
      resources.add(() -> node.stop().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS));
      return node;
    });
  }

  private List<String> warmUpLines() {
    List<ILoggingEvent> events;
    synchronized (logs) {
      events = new ArrayList<>(logs.list);
    }
    return events.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
        .filter(e -> QUIET.stream().anyMatch(e.getLoggerName()::startsWith))
        .map(e -> e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage())
        .toList();
  }

  private static Future<Set<String>> keys(Vertx vertx, String url) {
    return RedisAdmin.send(vertx, url, Request.cmd(Command.KEYS).arg("*")).map(WarmupTest::strings);
  }

  private static Set<String> strings(Response response) {
    Set<String> all = new TreeSet<>();
    response.forEach(item -> all.add(item.toString()));
    return all;
  }
}
