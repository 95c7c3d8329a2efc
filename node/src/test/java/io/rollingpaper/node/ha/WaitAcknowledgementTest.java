package io.rollingpaper.node.ha;

import io.rollingpaper.node.support.Http;
import io.rollingpaper.node.support.Poll;
import io.rollingpaper.node.support.RedisAdmin;
import io.rollingpaper.node.support.RedisProcess;
import io.rollingpaper.node.support.RedisTopology;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Acknowledged only once safe (REDIS_WAIT_REPLICAS=1, on a master with one replica): an op that the replica
 * does not confirm in time is answered {@code unavailable} and reaches nobody — not its sender, not another
 * node's reader, not a snapshot — until a confirmation covers it; then it is published in its place in
 * the order and its sender sees its cid after all. Also measures what waiting costs.
 */
@Tag("fault")
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class WaitAcknowledgementTest {
  private static final Logger LOG = LoggerFactory.getLogger(WaitAcknowledgementTest.class);
  final FaultRig rig = new FaultRig("wait");
  RedisProcess master;
  RedisProcess replica;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    RedisTopology.startReplicated(vertx, rig.root())
        .compose(both -> {
          master = rig.own(both.get(0));
          replica = rig.own(both.get(1));
          // Nodes 0 and 1 wait for the replica; node 2 does not.
          return rig.startNodes(2, Map.of("REDIS_URL", master.url(), "REDIS_WAIT_REPLICAS", "1",
              "REDIS_WAIT_TIMEOUT", "1s"));
        })
        .compose(two -> rig.startNodes(1, Map.of("REDIS_URL", master.url(), "REDIS_WAIT_REPLICAS", "0")))
        .onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    rig.stop().onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void anOpTheReplicaDoesNotConfirmIsAnsweredUnavailableAndSeenByNobodyUntilConfirmed(Vertx vertx,
                                                                                        VertxTestContext ctx) {
    String paper = "wait-" + UUID.randomUUID().toString().substring(0, 8);
    int a = rig.port(0);
    int b = rig.port(1);
    Http http = new Http(vertx, b);
    AtomicLong resumedAt = new AtomicLong();
    AtomicLong stalledAt = new AtomicLong();
    Future.all(FaultClient.join(vertx, a, paper, "writer"), FaultClient.join(vertx, b, paper, "reader"))
        .compose(joined -> {
          FaultClient writer = joined.resultAt(0);
          FaultClient reader = joined.resultAt(1);
          AtomicBoolean stop = new AtomicBoolean();
          AtomicLong count = new AtomicLong();
          return writer.write("ok", () -> count.getAndIncrement() >= 5, 0)
              .compose(x -> reader.reach(5))
              .compose(x -> vertx.executeBlocking(() -> {
                replica.pause();
                stalledAt.set(System.currentTimeMillis());
                return null;
              }))
              .compose(x -> writer.one("held"))
              .compose(x -> {
                FaultClient.Outcome held = writer.outcome("held-0");
                assertThat(held.error).as("not confirmed in time").isEqualTo("unavailable");
                assertThat(held.ackAt).isNegative();
                // Give the nodes' periodic checks time to find the written op: they must not deliver it.
                return Faults.after(vertx, 1500);
              })
              .compose(x -> http.get("/api/papers/" + paper))
              .compose(reply -> {
                assertThat(reply.status()).as("a snapshot would show the unconfirmed op: refused").isEqualTo(503);
                assertThat(writer.seq()).as("the sender did not see it").isEqualTo(5);
                assertThat(reader.seq()).as("another node's reader did not see it").isEqualTo(5);
                return vertx.executeBlocking(() -> {
                  resumedAt.set(System.currentTimeMillis());
                  replica.resume();
                  return null;
                });
              })
              .compose(x -> Future.all(writer.reach(6), reader.reach(6)))
              .compose(x -> {
                FaultClient.Outcome held = writer.outcome("held-0");
                assertThat(held.ackSeq).as("published in its place once confirmed").isEqualTo(6);
                return writer.one("after");
              })
              .compose(x -> Faults.verify(vertx, b, paper, List.of(writer), List.of(writer, reader)))
              .map(verdict -> {
                FaultClient.Outcome held = writer.outcome("held-0");
                Faults.report("wait-replica-stall", verdict.figures()
                    .put("recoveryMs", held.ackAt - resumedAt.get())
                    .put("recoveryMeaning", "from the stalled replica resuming to the held op's delta reaching "
                        + "its sender (published by the periodic check's confirmation)")
                    .put("replicaStalledMs", resumedAt.get() - stalledAt.get())
                    .put("waitTimeoutMs", 300));
                assertThat(verdict.problems()).isEmpty();
                assertThat(writer.errors()).as("only the held op was refused").containsExactly("held-0=unavailable(then acked)");
                assertThat(writer.outcome("after-0").ackSeq).isEqualTo(7);
                assertThat(writer.snapshots()).isEqualTo(1);
                assertThat(reader.snapshots()).isEqualTo(1);
                return null;
              });
        }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void whatWaitingCosts(Vertx vertx, VertxTestContext ctx) {
    int waiting = rig.port(0);
    int notWaiting = rig.port(2);
    int sequential = 400;
    int parallel = 8;
    int perClient = 150;
    JsonObject figures = new JsonObject();
    // A first round on each, not recorded, so that neither pays for the JIT warming up.
    measure(vertx, notWaiting, "warm1", 200, 2)
        .compose(f -> measure(vertx, waiting, "warm2", 200, 2))
        .compose(f -> measure(vertx, notWaiting, "nowait", sequential, 1))
        .compose(f -> {
          figures.put("noWaitSequential", f);
          return measure(vertx, waiting, "wait", sequential, 1);
        })
        .compose(f -> {
          figures.put("waitOneReplicaSequential", f);
          return measure(vertx, notWaiting, "nowaitpar", perClient, parallel);
        })
        .compose(f -> {
          figures.put("noWaitParallel", f);
          return measure(vertx, waiting, "waitpar", perClient, parallel);
        })
        .map(f -> {
          figures.put("waitOneReplicaParallel", f);
          figures.put("note", "one Redis master and one replica on this machine (loopback), ops sent one after "
              + "another per client; latency is from sending an op to receiving its delta");
          try {
            Path file = Path.of("target", "wait-cost.json");
            Files.createDirectories(file.getParent());
            Files.writeString(file, figures.encodePrettily() + "\n");
          } catch (IOException e) {
            LOG.warn("cannot write wait-cost.json: {}", e.getMessage());
          }
          LOG.info("WAIT cost: {}", figures.encode());
          return null;
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  /** {@code clients} clients on one paper, each sending {@code ops} ops one after another. */
  private Future<JsonObject> measure(Vertx vertx, int port, String name, int ops, int clients) {
    String paper = "cost-" + name + "-" + UUID.randomUUID().toString().substring(0, 6);
    List<Future<FaultClient>> joins = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      joins.add(FaultClient.join(vertx, port, paper, "c" + i));
    }
    return Future.all(joins).compose(joined -> {
      List<FaultClient> all = joined.list();
      long started = System.nanoTime();
      List<Future<Void>> writing = new ArrayList<>();
      for (int i = 0; i < all.size(); i++) {
        AtomicLong count = new AtomicLong();
        writing.add(all.get(i).write("c" + i, () -> count.getAndIncrement() >= ops, 0));
      }
      return Future.all(writing).map(done -> {
        double seconds = (System.nanoTime() - started) / 1e9;
        List<Long> latencies = new ArrayList<>();
        all.forEach(c -> latencies.addAll(c.latenciesMicros()));
        latencies.sort(Long::compare);
        int acked = latencies.size();
        assertThat(acked).isEqualTo(ops * clients);
        all.forEach(FaultClient::close);
        return new JsonObject()
            .put("clients", clients)
            .put("ops", acked)
            .put("opsPerSecond", Math.round(acked / seconds))
            .put("p50Micros", latencies.get(acked / 2))
            .put("p99Micros", latencies.get(Math.min(acked - 1, (int) (acked * 0.99))));
      });
    });
  }
}
