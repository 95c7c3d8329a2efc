package io.rollingpaper.node.ha;

import io.rollingpaper.node.support.Poll;
import io.rollingpaper.node.support.RedisAdmin;
import io.rollingpaper.node.support.RedisProcess;
import io.vertx.core.Future;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fault (2): Redis Sentinel failover under writes. A master, a replica and three sentinels (down after 1 s,
 * failover timeout 3 s) started by the test; two nodes in Sentinel mode that acknowledge an op only once
 * WAIT found it on the replica; a writer and a reader on each. The master is killed with SIGKILL while
 * both write. The sentinels promote the replica; the nodes' command pools and subscriptions move to it;
 * the killed server is started again as a replica of the new master (as its supervisor would), which
 * lets WAIT succeed again. No acknowledged op may be lost, and every client converges.
 */
@Tag("fault")
@ExtendWith(VertxExtension.class)
@Timeout(value = 150, timeUnit = TimeUnit.SECONDS)
class SentinelFailoverFaultTest {
  private static final Logger LOG = LoggerFactory.getLogger(SentinelFailoverFaultTest.class);
  private static final String MASTER = "mymaster";
  final FaultRig rig = new FaultRig("sentinel");
  RedisProcess master;
  RedisProcess replica;
  final List<RedisProcess> sentinels = new ArrayList<>();

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    // A replica's full sync starts at once (not after the default 5 s wait for more replicas).
    master = rig.server("master", "--repl-diskless-sync-delay", "0");
    replica = rig.server("replica", "--repl-diskless-sync-delay", "0",
        "--replicaof", "127.0.0.1", Integer.toString(master.port()));
    List<Integer> ports = List.of(RedisProcess.freePort(), RedisProcess.freePort(), RedisProcess.freePort());
    List<String> ids = List.of("1".repeat(40), "2".repeat(40), "3".repeat(40));
    for (int i = 0; i < 3; i++) {
      List<String> others = new ArrayList<>();
      for (int j = 0; j < 3; j++) {
        if (j != i) {
          others.add("127.0.0.1 " + ports.get(j) + " " + ids.get(j));
        }
      }
      sentinels.add(rig.own(RedisProcess.sentinel("sentinel" + i, rig.root(), ports.get(i), ids.get(i), MASTER,
          master.port(), replica.port(), others)));
    }
    RedisAdmin.replicaOnline(vertx, master)
        .compose(x -> Poll.until(vertx, "every sentinel sees the master, its replica and the other two", 20_000,
            () -> Future.all(sentinels.stream().map(s -> RedisAdmin.info(vertx, s.url(), "sentinel")).toList())
                .map(all -> all.<Map<String, String>>list().stream().allMatch(f -> f.getOrDefault("master0", "")
                    .matches(".*status=ok,address=127\\.0\\.0\\.1:" + master.port() + ",slaves=1,sentinels=3.*")))))
        .compose(x -> rig.startNodes(2, Map.of(
            "REDIS_SENTINELS", String.join(",", sentinels.stream().map(RedisProcess::address).toList()),
            "REDIS_MASTER_NAME", MASTER,
            "REDIS_WAIT_REPLICAS", "1",
            "REDIS_WAIT_TIMEOUT", "500ms")))
        .onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    rig.stop().onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void killingTheMasterUnderWritesLosesNoAcknowledgedOp(Vertx vertx, VertxTestContext ctx) {
    String paper = "failover-" + UUID.randomUUID().toString().substring(0, 8);
    String channel = "rp:{" + paper + "}:ch";
    int a = rig.port(0);
    int b = rig.port(1);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong killedAt = new AtomicLong();
    AtomicLong promotedAt = new AtomicLong();
    AtomicLong rejoinedAt = new AtomicLong();
    AtomicLong readyAgainAt = new AtomicLong();
    AtomicInteger subscribersOnMaster = new AtomicInteger(-1);
    AtomicInteger masterAtEnd = new AtomicInteger(-1);
    Future.all(FaultClient.join(vertx, a, paper, "wa"), FaultClient.join(vertx, b, paper, "wb"),
        FaultClient.join(vertx, b, paper, "ra"), FaultClient.join(vertx, a, paper, "rb")).compose(joined -> {
      List<FaultClient> clients = joined.list();
      List<FaultClient> writers = clients.subList(0, 2);
      Future<Void> writing = Future.all(writers.get(0).write("wa", stop::get, 2),
          writers.get(1).write("wb", stop::get, 2)).mapEmpty();
      Future<Void> scenario = Faults.after(vertx, 2000)
          .compose(x -> vertx.executeBlocking(() -> {
            killedAt.set(System.currentTimeMillis());
            master.kill();
            return null;
          }))
          .compose(x -> Poll.until(vertx, "the sentinels promote the replica", 30_000,
              () -> RedisAdmin.send(vertx, sentinels.get(0).url(),
                      Request.cmd(Command.SENTINEL).arg("GET-MASTER-ADDR-BY-NAME").arg(MASTER))
                  .map(r -> r.get(1).toInteger() == replica.port())))
          .compose(x -> {
            promotedAt.set(System.currentTimeMillis());
            LOG.info("sentinels promoted the replica {} ms after the kill", promotedAt.get() - killedAt.get());
            // Its supervisor starts the killed server again, as a replica of the master of the moment.
            return vertx.executeBlocking(() -> {
              master.restartWith("--repl-diskless-sync-delay", "0",
                  "--replicaof", "127.0.0.1", Integer.toString(replica.port()));
              return null;
            });
          })
          .compose(x -> Poll.until(vertx, "the old master in sync as a replica", 30_000,
              () -> RedisAdmin.info(vertx, master.url(), "replication")
                  .map(f -> "up".equals(f.get("master_link_status")))))
          .compose(x -> {
            rejoinedAt.set(System.currentTimeMillis());
            return Poll.until(vertx, "both writers acknowledged after the failover", 30_000,
                () -> Future.succeededFuture(writers.stream().allMatch(w -> w.firstAckSentAfter(rejoinedAt.get()) > 0)));
          })
          .compose(x -> Poll.until(vertx, "both nodes ready", 30_000,
              () -> Future.all(Faults.readiness(vertx, a), Faults.readiness(vertx, b))
                  .map(all -> all.<Integer>list().stream().allMatch(s -> s == 200))))
          .compose(x -> {
            readyAgainAt.set(System.currentTimeMillis());
            return Faults.after(vertx, 1500);
          })
          .onComplete(x -> stop.set(true));
      return scenario.compose(x -> writing)
          .compose(x -> Faults.verify(vertx, a, paper, writers, clients))
          // On the master the sentinels name now: under load they can fail over twice (a split vote promotes the
          // replica, then the restarted server), and the nodes must follow the last one.
          .compose(verdict -> Poll.until(vertx, "both nodes subscribed on the master the sentinels name", 15_000,
              () -> RedisAdmin.send(vertx, sentinels.get(0).url(), Request.cmd(Command.SENTINEL)
                      .arg("GET-MASTER-ADDR-BY-NAME").arg(MASTER))
                  .compose(address -> {
                    int port = address.get(1).toInteger();
                    masterAtEnd.set(port);
                    return RedisAdmin.send(vertx, (port == master.port() ? master : replica).url(),
                        Request.cmd(Command.PUBSUB).arg("NUMSUB").arg(channel));
                  })
                  .map(numsub -> {
                    subscribersOnMaster.set(numsub.get(1).toInteger());
                    return subscribersOnMaster.get() == 2;
                  }))
              .recover(notYet -> Future.succeededFuture())
              .map(verdict))
          .map(verdict -> {
            long firstAck = writers.stream().mapToLong(w -> w.firstAckSentAfter(killedAt.get())).max().orElse(-1);
            long lastBefore = writers.stream().mapToLong(w -> w.lastAckBefore(killedAt.get())).max().orElse(-1);
            Faults.report("sentinel-failover", verdict.figures()
                .put("recoveryMs", firstAck - killedAt.get())
                .put("recoveryMeaning", "from the SIGKILL of the master to an op acknowledged on every node "
                    + "(WAIT 1 needs a replica again: the killed server was restarted as one)")
                .put("failoverMs", promotedAt.get() - killedAt.get())
                .put("oldMasterBackAsReplicaMs", rejoinedAt.get() - killedAt.get())
                .put("firstAckAfterReplicaBackMs", firstAck - rejoinedAt.get())
                .put("bothNodesReadyMs", readyAgainAt.get() - killedAt.get())
                .put("lastAckBeforeKillMsBefore", killedAt.get() - lastBefore)
                .put("subscribersOnMasterAtEnd", subscribersOnMaster.get())
                .put("masterAtEnd", masterAtEnd.get() == replica.port() ? "the promoted replica"
                    : masterAtEnd.get() == master.port() ? "the restarted server (a second failover)" : "unknown")
                .put("waitReplicas", 1)
                .put("waitTimeoutMs", 500));
            assertThat(verdict.problems()).isEmpty();
            assertThat(verdict.figures().getInteger("lost")).isZero();
            assertThat(subscribersOnMaster.get()).as("both nodes subscribed on the master the sentinels name")
                .isEqualTo(2);
            return null;
          });
    }).onComplete(ctx.succeedingThenComplete());
  }
}
