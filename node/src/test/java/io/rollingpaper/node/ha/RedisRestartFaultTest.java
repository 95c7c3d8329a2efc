package io.rollingpaper.node.ha;

import io.rollingpaper.node.support.Poll;
import io.rollingpaper.node.support.RedisProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fault (1): a standalone Redis killed with SIGKILL under writes from two nodes and started again a second
 * later. It keeps an append-only file fsynced on every write, so what it acknowledged survives: no
 * acknowledged op may be lost, the epoch stays, every client converges without a second snapshot (the
 * history covers the gap), and ops sent while it is down are refused {@code unavailable}.
 */
@Tag("fault")
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class RedisRestartFaultTest {
  final FaultRig rig = new FaultRig("restart");
  RedisProcess redis;

  @BeforeEach
  void start(VertxTestContext ctx) {
    redis = rig.server("aof", "--appendonly", "yes", "--appendfsync", "always");
    rig.startNodes(2, Map.of("REDIS_URL", redis.url())).onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    rig.stop().onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aRedisRestartedUnderWritesLosesNoAcknowledgedOp(Vertx vertx, VertxTestContext ctx) {
    String paper = "restart-" + UUID.randomUUID().toString().substring(0, 8);
    int a = rig.port(0);
    int b = rig.port(1);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong killedAt = new AtomicLong();
    AtomicLong backAt = new AtomicLong();
    AtomicLong notReadySeen = new AtomicLong(-1);
    Future.all(FaultClient.join(vertx, a, paper, "wa"), FaultClient.join(vertx, b, paper, "wb"),
        FaultClient.join(vertx, b, paper, "ra"), FaultClient.join(vertx, a, paper, "rb")).compose(joined -> {
      List<FaultClient> clients = joined.list();
      List<FaultClient> writers = clients.subList(0, 2);
      String epoch = clients.get(0).epoch();
      Future<Void> writing = Future.all(writers.get(0).write("wa", stop::get, 2),
          writers.get(1).write("wb", stop::get, 2)).mapEmpty();
      Future<Void> scenario = Faults.after(vertx, 1500)
          .compose(x -> vertx.executeBlocking(() -> {
            killedAt.set(System.currentTimeMillis());
            redis.kill();
            return null;
          }))
          .compose(x -> Poll.until(vertx, "node a not ready while Redis is down", 10_000,
              () -> Faults.readiness(vertx, a).map(status -> status == 503)))
          .compose(x -> {
            notReadySeen.set(System.currentTimeMillis() - killedAt.get());
            return Faults.after(vertx, Math.max(1, 1000 - (System.currentTimeMillis() - killedAt.get())));
          })
          .compose(x -> vertx.executeBlocking(() -> {
            redis.restart();
            backAt.set(System.currentTimeMillis());
            return null;
          }))
          .compose(x -> Poll.until(vertx, "both writers acknowledged after the restart", 30_000,
              () -> Future.succeededFuture(writers.stream().allMatch(w -> w.firstAckSentAfter(backAt.get()) > 0))))
          .compose(x -> Faults.after(vertx, 1000))
          .onComplete(x -> stop.set(true));
      return scenario.compose(x -> writing)
          .compose(x -> Faults.verify(vertx, a, paper, writers, clients))
          .map(verdict -> {
            long recovered = writers.stream().mapToLong(w -> w.firstAckSentAfter(backAt.get())).max().orElse(-1);
            long lastBefore = writers.stream().mapToLong(w -> w.lastAckBefore(killedAt.get())).max().orElse(-1);
            Faults.report("redis-restart", verdict.figures()
                .put("recoveryMs", recovered - backAt.get())
                .put("recoveryMeaning", "from Redis ready again to an op acknowledged on every node")
                .put("outageMs", backAt.get() - killedAt.get())
                .put("killToFirstAckMs", recovered - killedAt.get())
                .put("lastAckBeforeKillMsBefore", killedAt.get() - lastBefore)
                .put("notReadyWithinMs", notReadySeen.get())
                .put("persistence", "appendonly yes, appendfsync always"));
            assertThat(verdict.problems()).isEmpty();
            assertThat(verdict.figures().getInteger("lost")).isZero();
            assertThat(verdict.figures().getLong("unavailable")).as("ops sent while Redis was down").isPositive();
            clients.forEach(c -> {
              assertThat(c.epoch()).as("the history survived: same epoch").isEqualTo(epoch);
              assertThat(c.snapshots()).as("the history covered the gap").isEqualTo(1);
            });
            return null;
          });
    }).onComplete(ctx.succeedingThenComplete());
  }
}
