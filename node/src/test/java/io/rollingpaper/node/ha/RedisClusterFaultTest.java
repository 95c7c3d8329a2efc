package io.rollingpaper.node.ha;

import io.rollingpaper.node.support.Poll;
import io.rollingpaper.node.support.RedisAdmin;
import io.rollingpaper.node.support.RedisProcess;
import io.rollingpaper.node.support.RedisTopology;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fault (5): a Redis Cluster of three masters, two nodes in cluster mode, one paper on each shard. Each
 * paper's keys live on the master that owns its slot, both nodes subscribe to its channel there with
 * SSUBSCRIBE (and nowhere else), its deltas reach every client in order; and when one shard drops the
 * pub/sub connections mid-writes, the nodes resubscribe and repair with no gap.
 */
@Tag("fault")
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class RedisClusterFaultTest {
  private static final Logger LOG = LoggerFactory.getLogger(RedisClusterFaultTest.class);
  final FaultRig rig = new FaultRig("cluster");
  final List<RedisProcess> masters = new ArrayList<>();

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    RedisTopology.startCluster(vertx, rig.root(), 3)
        .onSuccess(started -> started.forEach(master -> masters.add(rig.own(master))))
        .compose(x -> rig.startNodes(2, Map.of("REDIS_CLUSTER_NODES",
            String.join(",", masters.stream().map(RedisProcess::url).toList()))))
        .onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    rig.stop().onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void eachPapersTrafficStaysOnItsShard(Vertx vertx, VertxTestContext ctx) {
    int a = rig.port(0);
    int b = rig.port(1);
    String run = UUID.randomUUID().toString().substring(0, 6);
    papersOnEveryShard(vertx, run).compose(owners -> {
      List<String> papers = new ArrayList<>(owners.keySet());
      List<Future<FaultClient>> joins = new ArrayList<>();
      for (String paper : papers) {
        joins.add(FaultClient.join(vertx, a, paper, "wa"));
        joins.add(FaultClient.join(vertx, b, paper, "wb"));
      }
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong killedAt = new AtomicLong();
      return Future.all(joins).compose(joined -> {
        List<FaultClient> clients = joined.list();
        List<Future<Void>> writing = new ArrayList<>();
        for (int i = 0; i < clients.size(); i++) {
          writing.add(clients.get(i).write("w" + i, stop::get, 2));
        }
        RedisProcess dropped = owners.get(papers.get(0));
        Future<Void> scenario = Faults.after(vertx, 1500)
            .compose(x -> {
              killedAt.set(System.currentTimeMillis());
              return RedisAdmin.send(vertx, dropped.url(), Request.cmd(Command.CLIENT).arg("KILL").arg("TYPE").arg("pubsub"));
            })
            .compose(x -> Faults.after(vertx, 1500))
            .onComplete(x -> stop.set(true));
        return scenario.compose(x -> Future.all(writing)).compose(x -> {
          // Per paper: its two clients write and read; the final check runs paper by paper.
          Future<List<Faults.Verdict>> verdicts = Future.succeededFuture(new ArrayList<>());
          for (int p = 0; p < papers.size(); p++) {
            List<FaultClient> pair = clients.subList(2 * p, 2 * p + 2);
            String paper = papers.get(p);
            verdicts = verdicts.compose(list -> Faults.verify(vertx, a, paper, pair, pair).map(v -> {
              list.add(v);
              return list;
            }));
          }
          return verdicts;
        }).compose(verdicts -> placement(vertx, owners).map(placement -> {
          int attempted = verdicts.stream().mapToInt(v -> v.figures().getInteger("opsAttempted")).sum();
          int acked = verdicts.stream().mapToInt(v -> v.figures().getInteger("acknowledged")).sum();
          int lost = verdicts.stream().mapToInt(v -> v.figures().getInteger("lost")).sum();
          long stall = verdicts.stream().mapToLong(v -> v.figures().getLong("longestDeliveryStallMs")).max().orElse(0);
          JsonObject figures = new JsonObject()
              .put("opsAttempted", attempted)
              .put("acknowledged", acked)
              .put("lost", lost)
              .put("recoveryMs", stall)
              .put("recoveryMeaning", "the longest stall in any client's deltas; one shard dropped the nodes' "
                  + "pub/sub connections mid-writes")
              .put("masters", masters.size())
              .put("papers", new JsonArray(verdicts.stream().map(Faults.Verdict::figures).toList()))
              .put("placement", placement);
          Faults.report("redis-cluster", figures);
          verdicts.forEach(v -> assertThat(v.problems()).isEmpty());
          assertThat(lost).isZero();
          clients.forEach(c -> assertThat(c.snapshots()).as("the history covered the gap").isEqualTo(1));
          for (String paper : papers) {
            JsonObject where = placement.getJsonObject(paper);
            for (RedisProcess master : masters) {
              JsonObject here = where.getJsonObject(master.address());
              boolean owner = master == owners.get(paper);
              // Its meta, notes index, history, presence and one key per note; none anywhere else.
              if (owner) {
                assertThat(here.getLong("keysInSlot")).as(paper + " keys on its owner " + master.address())
                    .isGreaterThan(4L);
              } else {
                assertThat(here.getLong("keysInSlot")).as(paper + " keys on " + master.address()).isZero();
              }
              assertThat(here.getLong("shardSubscribers")).as(paper + " SSUBSCRIBE on " + master.address())
                  .isEqualTo(owner ? 2L : 0L);
            }
          }
          for (RedisProcess master : masters) {
            assertThat(placement.getJsonObject("probes").getLong(master.address()))
                .as("each node's probe channel on " + master.address()).isEqualTo(2L);
          }
          return null;
        }));
      });
    }).onComplete(ctx.succeedingThenComplete());
  }

  /** One paper per master: paper ids tried in turn until every master owns one. */
  private Future<Map<String, RedisProcess>> papersOnEveryShard(Vertx vertx, String run) {
    return RedisAdmin.send(vertx, masters.get(0).url(), Request.cmd(Command.CLUSTER).arg("SLOTS")).compose(slots -> {
      Map<RedisProcess, String> chosen = new LinkedHashMap<>();
      return pick(vertx, run, 0, slots, chosen).map(x -> {
        Map<String, RedisProcess> owners = new LinkedHashMap<>();
        chosen.forEach((master, paper) -> owners.put(paper, master));
        LOG.info("papers by shard: {}", owners.entrySet().stream()
            .map(e -> e.getKey() + "@" + e.getValue().address()).toList());
        return owners;
      });
    });
  }

  private Future<Void> pick(Vertx vertx, String run, int i, Response slots, Map<RedisProcess, String> chosen) {
    if (chosen.size() == masters.size()) {
      return Future.succeededFuture();
    }
    String paper = "cl-" + run + "-" + i;
    return RedisAdmin.send(vertx, masters.get(0).url(), Request.cmd(Command.CLUSTER).arg("KEYSLOT")
        .arg("rp:{" + paper + "}:meta")).compose(slot -> {
      int s = slot.toInteger();
      for (Response range : slots) {
        if (range.get(0).toInteger() <= s && s <= range.get(1).toInteger()) {
          int port = range.get(2).get(1).toInteger();
          masters.stream().filter(m -> m.port() == port).findFirst()
              .ifPresent(m -> chosen.putIfAbsent(m, paper));
        }
      }
      return pick(vertx, run, i + 1, slots, chosen);
    });
  }

  /** Per paper and master: the keys in the paper's slot and the shard subscribers of its channel. */
  private Future<JsonObject> placement(Vertx vertx, Map<String, RedisProcess> owners) {
    JsonObject out = new JsonObject();
    Future<Void> all = Future.succeededFuture();
    for (String paper : owners.keySet()) {
      String channel = "rp:{" + paper + "}:ch";
      JsonObject where = new JsonObject();
      out.put(paper, where);
      for (RedisProcess master : masters) {
        all = all.compose(x -> RedisAdmin.send(vertx, master.url(), Request.cmd(Command.CLUSTER).arg("KEYSLOT").arg(channel))
            .compose(slot -> RedisAdmin.send(vertx, master.url(),
                Request.cmd(Command.CLUSTER).arg("COUNTKEYSINSLOT").arg(slot.toInteger())))
            .compose(keys -> RedisAdmin.send(vertx, master.url(),
                    Request.cmd(Command.PUBSUB).arg("SHARDNUMSUB").arg(channel))
                .map(numsub -> {
                  where.put(master.address(), new JsonObject().put("owner", owners.get(paper) == master)
                      .put("keysInSlot", keys.toLong()).put("shardSubscribers", numsub.get(1).toLong()));
                  return null;
                })));
      }
    }
    JsonObject probes = new JsonObject();
    out.put("probes", probes);
    for (RedisProcess master : masters) {
      all = all.compose(x -> RedisAdmin.send(vertx, master.url(),
          Request.cmd(Command.PUBSUB).arg("SHARDCHANNELS").arg("rp:{node:*}:probe")).map(list -> {
            probes.put(master.address(), (long) list.size());
            return null;
          }));
    }
    return all.map(out);
  }
}
