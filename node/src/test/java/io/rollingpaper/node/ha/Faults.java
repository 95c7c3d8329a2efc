package io.rollingpaper.node.ha;

import io.rollingpaper.node.support.Http;
import io.rollingpaper.node.support.Poll;
import io.rollingpaper.node.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** What the fault tests share: bounded polls, starting nodes, the final check and the report of figures. */
final class Faults {
  private static final Logger LOG = LoggerFactory.getLogger(Faults.class);

  private Faults() {
  }

  /** Node settings for the fault tests: room for many notes and a long history, quick checks. */
  static Map<String, String> nodeEnv(Map<String, String> redis) {
    Map<String, String> env = new HashMap<>(redis);
    env.putIfAbsent("MAX_NOTES_PER_PAPER", "100000");
    env.putIfAbsent("HISTORY_SIZE", "100000");
    env.putIfAbsent("PAPER_CHECK_INTERVAL", "300ms");
    env.putIfAbsent("PRESENCE_TTL", "5s");
    env.putIfAbsent("SUBSCRIPTION_PROBE_INTERVAL", "1s");
    return env;
  }

  static Future<List<TestNode>> startNodes(int count, Map<String, String> env) {
    Future<List<TestNode>> all = Future.succeededFuture(new ArrayList<>());
    for (int i = 0; i < count; i++) {
      all = all.compose(list -> TestNode.start(env).map(node -> {
        list.add(node);
        return list;
      }));
    }
    return all;
  }

  static Future<Void> stopNodes(List<TestNode> nodes) {
    return Future.join(nodes.stream().map(TestNode::stop).toList()).mapEmpty();
  }

  /** Completes after {@code ms} (a timer, for pacing a scenario). */
  static Future<Void> after(Vertx vertx, long ms) {
    Promise<Void> done = Promise.promise();
    vertx.setTimer(Math.max(1, ms), t -> done.complete());
    return done.future();
  }

  static Future<Integer> readiness(Vertx vertx, int port) {
    return new Http(vertx, port).get("/health/ready").map(Http.Reply::status).recover(e -> Future.succeededFuture(-1));
  }

  /** The paper as the store has it, once a node can answer (it may refuse while Redis recovers). */
  static Future<JsonObject> storeSnapshot(Vertx vertx, int port, String paper) {
    Http http = new Http(vertx, port);
    JsonObject[] found = new JsonObject[1];
    return Poll.until(vertx, "a snapshot of " + paper + " from the store", 30_000,
        () -> http.get("/api/papers/" + paper).map(reply -> {
          if (reply.status() == 200) {
            found[0] = reply.json();
            return true;
          }
          return false;
        })).map(ok -> found[0]);
  }

  /** What the final check found. */
  record Verdict(JsonObject figures, List<String> problems) {
  }

  /**
   * The final check, once writing has stopped: the store's snapshot, every client converged on it (same
   * seq, same notes), no acknowledged op missing from it, no break of the delivery promise.
   */
  static Future<Verdict> verify(Vertx vertx, int port, String paper, List<FaultClient> writers,
                                List<FaultClient> clients) {
    return storeSnapshot(vertx, port, paper).compose(snapshot -> Poll.until(vertx, "every client converged", 30_000,
        () -> Future.succeededFuture(clients.stream().allMatch(c -> c.matches(snapshot))))
        .transform(converged -> {
          List<String> problems = new ArrayList<>();
          if (converged.failed()) {
            for (FaultClient c : clients) {
              if (!c.matches(snapshot)) {
                problems.add(c.name() + " did not converge: at seq " + c.seq() + " with " + c.notes().size()
                    + " notes; the store has seq " + snapshot.getLong("seq") + " with "
                    + snapshot.getJsonArray("notes").size());
              }
            }
          }
          Set<String> stored = snapshot.getJsonArray("notes").stream()
              .map(n -> ((JsonObject) n).getString("id")).collect(Collectors.toSet());
          int attempted = 0;
          int acknowledged = 0;
          long unavailable = 0;
          int late = 0;
          List<String> lost = new ArrayList<>();
          for (FaultClient w : writers) {
            attempted += w.attempted();
            List<String> acked = w.acknowledged();
            acknowledged += acked.size();
            unavailable += w.refused("unavailable");
            late += w.lateAcks();
            acked.stream().filter(cid -> !stored.contains(cid)).forEach(lost::add);
            if (w.silent() > 0) {
              problems.add(w.name() + ": " + w.silent() + " ops were never answered");
            }
          }
          if (!lost.isEmpty()) {
            problems.add(lost.size() + " acknowledged ops lost, e.g. " + lost.subList(0, Math.min(5, lost.size())));
          }
          for (FaultClient c : clients) {
            c.violations().forEach(problems::add);
          }
          JsonObject figures = new JsonObject()
              .put("opsAttempted", attempted)
              .put("acknowledged", acknowledged)
              .put("lost", lost.size())
              .put("unavailable", unavailable)
              .put("unavailableButAppliedLater", late)
              .put("finalSeq", snapshot.getLong("seq"))
              .put("clients", clients.size())
              .put("clientsConverged", clients.stream().filter(c -> c.matches(snapshot)).count())
              .put("snapshotsPerClient", clients.stream().map(FaultClient::snapshots).toList())
              .put("longestDeliveryStallMs", clients.stream().mapToLong(FaultClient::longestStallMs).max().orElse(0));
          return Future.succeededFuture(new Verdict(figures, problems));
        }));
  }

  /** Writes {@code target/fault-NAME.json} and logs the figures. */
  static void report(String fault, JsonObject figures) {
    figures.put("fault", fault);
    try {
      Path file = Path.of("target", "fault-" + fault + ".json");
      Files.createDirectories(file.getParent());
      Files.writeString(file, figures.encodePrettily() + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      LOG.warn("cannot write the report of {}: {}", fault, e.getMessage());
    }
    LOG.info("FAULT {} | attempted {} | acknowledged {} | lost {} | recovery {} ms | {}", fault,
        figures.getValue("opsAttempted"), figures.getValue("acknowledged"), figures.getValue("lost"),
        figures.getValue("recoveryMs"), figures.encode());
  }
}
