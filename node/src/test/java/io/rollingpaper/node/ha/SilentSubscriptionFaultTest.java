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
 * The liveness probe: node A reaches Redis through a proxy that, on command, stops passing anything Redis
 * sends on subscriber connections while keeping them open (the connection looks healthy, nothing arrives).
 * A's probe notices within about an interval: readiness fails while its subscriptions are not confirmed
 * live, it rebuilds them (again and again while the silence lasts), and once they deliver again it is
 * ready and its reader has every delta once, in order, without a second snapshot.
 */
@Tag("fault")
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class SilentSubscriptionFaultTest {
  private static final long PROBE_MS = 500;
  final FaultRig rig = new FaultRig("silent");
  RedisProcess redis;
  BlackholeProxy proxy;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    redis = rig.server("silent");
    new BlackholeProxy(vertx, redis.port()).start()
        .compose(started -> {
          proxy = started;
          rig.onStop(started::close);
          // Node 0 reaches Redis through the proxy that can silence it; node 1 directly.
          return rig.startNodes(1, Map.of("REDIS_URL", proxy.url(), "SUBSCRIPTION_PROBE_INTERVAL", PROBE_MS + "ms"));
        })
        .compose(a -> rig.startNodes(1, Map.of("REDIS_URL", redis.url())))
        .onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    rig.stop().onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aSubscriptionThatDeliversNothingIsDetectedAndRebuilt(Vertx vertx, VertxTestContext ctx) {
    String paper = "silent-" + UUID.randomUUID().toString().substring(0, 8);
    int a = rig.port(0);
    int b = rig.port(1);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong silencedAt = new AtomicLong();
    AtomicLong detectedAt = new AtomicLong();
    AtomicLong restoredAt = new AtomicLong();
    AtomicLong readyAt = new AtomicLong();
    Future.all(FaultClient.join(vertx, b, paper, "writer"), FaultClient.join(vertx, a, paper, "reader"))
        .compose(joined -> {
          List<FaultClient> clients = joined.list();
          FaultClient writer = clients.get(0);
          Future<Void> writing = writer.write("w", stop::get, 5);
          Future<Void> scenario = Faults.readiness(vertx, a)
              .compose(status -> {
                assertThat(status).as("A is ready while its subscription delivers").isEqualTo(200);
                return Faults.after(vertx, 1000);
              })
              .compose(x -> {
                silencedAt.set(System.currentTimeMillis());
                proxy.silence(true);
                return Poll.until(vertx, "A not ready once its subscription is silent", 10_000,
                    () -> Faults.readiness(vertx, a).map(s -> s == 503));
              })
              .compose(x -> {
                detectedAt.set(System.currentTimeMillis());
                return Faults.after(vertx, 2000);
              })
              .compose(x -> Faults.readiness(vertx, a))
              .compose(status -> {
                assertThat(status).as("still not ready while the rebuilt subscriptions are silent too").isEqualTo(503);
                restoredAt.set(System.currentTimeMillis());
                proxy.silence(false);
                return Poll.until(vertx, "A ready again", 20_000, () -> Faults.readiness(vertx, a).map(s -> s == 200));
              })
              .compose(x -> {
                readyAt.set(System.currentTimeMillis());
                return Faults.after(vertx, 1000);
              })
              .onComplete(x -> stop.set(true));
          return scenario.compose(x -> writing)
              .compose(x -> Faults.verify(vertx, b, paper, List.of(writer), clients))
              .map(verdict -> {
                Faults.report("silent-subscription", verdict.figures()
                    .put("recoveryMs", readyAt.get() - restoredAt.get())
                    .put("recoveryMeaning", "from the subscriber connections delivering again to node A ready "
                        + "(resubscribed, probe back)")
                    .put("detectionMs", detectedAt.get() - silencedAt.get())
                    .put("probeIntervalMs", PROBE_MS)
                    .put("silencedForMs", restoredAt.get() - silencedAt.get())
                    .put("chunksSwallowed", proxy.swallowed()));
                assertThat(verdict.problems()).isEmpty();
                assertThat(detectedAt.get() - silencedAt.get()).as("detected within a few probe intervals")
                    .isLessThan(4 * PROBE_MS + 1000);
                clients.forEach(c -> assertThat(c.snapshots()).as("repaired from the history").isEqualTo(1));
                return null;
              });
        }).onComplete(ctx.succeedingThenComplete());
  }
}
