package io.rollingpaper.node.ha;

import io.rollingpaper.node.support.Poll;
import io.rollingpaper.node.support.RedisAdmin;
import io.rollingpaper.node.support.RedisProcess;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fault (4): the pub/sub connections killed again and again ({@code CLIENT KILL TYPE pubsub} every 250 ms
 * for 4 s) while two nodes write. Every time, each node resubscribes and repairs from the history: every
 * client sees every seq once, in order, with no second snapshot, and converges.
 */
@Tag("fault")
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class PubSubKillFaultTest {
  private static final int KILLS = 16;
  private static final long KILL_EVERY_MS = 250;
  final FaultRig rig = new FaultRig("pubsub");
  RedisProcess redis;

  @BeforeEach
  void start(VertxTestContext ctx) {
    redis = rig.server("pubsub");
    rig.startNodes(2, Map.of("REDIS_URL", redis.url())).onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    rig.stop().onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void killingThePubSubConnectionsAgainAndAgainLeavesNoGap(Vertx vertx, VertxTestContext ctx) {
    String paper = "pubsub-" + UUID.randomUUID().toString().substring(0, 8);
    int a = rig.port(0);
    int b = rig.port(1);
    AtomicBoolean stop = new AtomicBoolean();
    List<Long> recoveries = new ArrayList<>();
    List<Long> killed = new ArrayList<>();
    Future.all(FaultClient.join(vertx, a, paper, "wa"), FaultClient.join(vertx, b, paper, "wb"),
        FaultClient.join(vertx, b, paper, "ra"), FaultClient.join(vertx, a, paper, "rb")).compose(joined -> {
      List<FaultClient> clients = joined.list();
      List<FaultClient> writers = clients.subList(0, 2);
      Future<Void> writing = Future.all(writers.get(0).write("wa", stop::get, 1),
          writers.get(1).write("wb", stop::get, 1)).mapEmpty();
      Future<Void> scenario = Faults.after(vertx, 500)
          .compose(x -> killLoop(vertx, a, b, KILLS, killed, recoveries))
          .compose(x -> Faults.after(vertx, 500))
          .onComplete(x -> stop.set(true));
      return scenario.compose(x -> writing)
          .compose(x -> Faults.verify(vertx, a, paper, writers, clients))
          .map(verdict -> {
            long max = recoveries.stream().mapToLong(Long::longValue).max().orElse(-1);
            Faults.report("pubsub-kill", verdict.figures()
                .put("recoveryMs", verdict.figures().getLong("longestDeliveryStallMs"))
                .put("recoveryMeaning", "the longest stall in any client's stream of deltas while both nodes "
                    + "wrote continuously and their subscriptions were killed")
                .put("longestKillToBothReadyMs", max)
                .put("kills", recoveries.size())
                .put("pubsubConnectionsKilled", killed.stream().mapToLong(Long::longValue).sum())
                .put("killEveryMs", KILL_EVERY_MS));
            assertThat(verdict.problems()).isEmpty();
            assertThat(verdict.figures().getInteger("lost")).isZero();
            clients.forEach(c -> assertThat(c.snapshots()).as("the history covered every gap").isEqualTo(1));
            return null;
          });
    }).onComplete(ctx.succeedingThenComplete());
  }

  /** Kills every pub/sub connection, waits until both nodes are ready again, and again after a pause. */
  private Future<Void> killLoop(Vertx vertx, int a, int b, int left, List<Long> killed, List<Long> recoveries) {
    if (left == 0) {
      return Future.succeededFuture();
    }
    long at = System.currentTimeMillis();
    return RedisAdmin.send(vertx, redis.url(), Request.cmd(Command.CLIENT).arg("KILL").arg("TYPE").arg("pubsub"))
        .compose(count -> {
          killed.add(count.toLong());
          // Readiness may not even notice a reconnect this fast; what counts is being ready afterwards.
          return Poll.until(vertx, "both nodes ready after a kill", 20_000,
              () -> Future.all(Faults.readiness(vertx, a), Faults.readiness(vertx, b))
                  .map(all -> all.<Integer>list().stream().allMatch(s -> s == 200)));
        })
        .compose(x -> {
          recoveries.add(System.currentTimeMillis() - at);
          Promise<Void> next = Promise.promise();
          vertx.setTimer(KILL_EVERY_MS, t -> killLoop(vertx, a, b, left - 1, killed, recoveries).onComplete(next));
          return next.future();
        });
  }
}
