package io.rollingpaper.clustertest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 14: scale out and in under live writes, with real processes run by {@code scripts/cluster}
 * itself. Writers on 12 papers (2 clients each, a third joins after the scale-out) through HAProxy while
 * the cluster goes 3 -> 6 -> 2 nodes. Holds when no acknowledged op is lost, no client sees a gap or a
 * duplicate, every client converges to its paper's final state, at least 95% of reconnects resume without
 * a snapshot, the reconnect p99 is at most 2 s, and no client is moved by the scale-out (HAProxy's
 * Runtime API says which server holds each connection). New joins after the scale-out land on new nodes
 * for some papers, so those papers are served by two nodes at once; after the scale-in the drained
 * clients resume on the remaining nodes. Figures go to the build log and target/scale.json.
 */
@ExtendWith(VertxExtension.class)
class ScaleIT {
  private static final int PAPERS = 12;
  private static final int FIRST_CLIENTS_PER_PAPER = 2;
  private static final int NOTES_PER_CLIENT = 3;
  private static final int ACKS_BETWEEN_STEPS = 300;
  private static final double MIN_RESUMED_SHARE = 0.95;
  private static final long MAX_RECONNECT_P99_MS = 2_000;

  private static final Path BUILD_DIR = Path.of(System.getProperty("cluster.test.dir", "target")).toAbsolutePath();
  private static final Path REPO_ROOT = Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();
  private static final Path NODE_JAR = Path.of(System.getProperty("node.jar",
      REPO_ROOT.resolve("node/target/rolling-paper-node.jar").toString())).toAbsolutePath().normalize();

  private static ScriptCluster cluster;
  private static long upMs;

  @BeforeAll
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  static void startCluster() throws IOException {
    assertThat(NODE_JAR).as("the node's shaded jar (mvn -B -pl node -am package -DskipTests)").isRegularFile();
    Map<String, String> env = Map.of(
        "AUTH_DISABLED", "true",
        "DRAIN_READY_DELAY", "2s",
        "DRAIN_CLOSE_WINDOW", "1s",
        "DRAIN_TIMEOUT", "5s",
        "PAPER_CHECK_INTERVAL", "1s");
    // Small, quick-starting JVMs: up to six of them share this machine with HAProxy, redis and the test.
    String jvm = "-Xms64m -Xmx192m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";
    cluster = new ScriptCluster(REPO_ROOT, NODE_JAR, BUILD_DIR.resolve("scale"), env, jvm);
    long t0 = System.nanoTime();
    try {
      cluster.up(3, 6);
    } catch (IOException | RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
    upMs = (System.nanoTime() - t0) / 1_000_000;
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void threeToSixToTwoNodesUnderLiveWritesLosesNothing(Vertx vertx) throws IOException {
    long t0 = System.nanoTime();
    long seed = System.currentTimeMillis();
    log("cluster up (3 nodes) in %d ms: balancer 127.0.0.1:%d, internal %d; logs in %s; seed %d%n%s", upMs,
        cluster.balancerPort(), cluster.internalPort(), cluster.dir(), seed, cluster.status());
    List<String> problems = new ArrayList<>();
    JsonArray steps = new JsonArray();

    List<WritingClient> clients = new ArrayList<>();
    for (int p = 1; p <= PAPERS; p++) {
      for (int k = 1; k <= FIRST_CLIENTS_PER_PAPER; k++) {
        clients.add(writer(vertx, p, k, seed));
      }
    }
    for (String first : startAll(clients)) {
      assertThat(first).as("first frame of a fresh join").isEqualTo("snapshot");
    }
    Await.until("every client to have 5 acked ops", Duration.ofSeconds(60),
        () -> results(clients).stream().allMatch(r -> r.acked() >= 5));
    Map<String, String> before = placement(clients);
    JsonObject spreadAt3 = spread(before);

    // ---- 3 -> 6 --------------------------------------------------------------------------------------
    List<WritingClient.Result> beforeOut = results(clients);
    long s0 = System.nanoTime();
    String outLog = cluster.scale(6);
    long scaleOutMs = (System.nanoTime() - s0) / 1_000_000;
    String statusAt6 = cluster.status();
    log("scaled out to %d nodes in %d ms:%n%s%n%s", cluster.nodeCount(), scaleOutMs, outLog, statusAt6);
    checkStatus(statusAt6, 6, problems);
    steps.add(new JsonObject().put("step", "3 -> 6").put("ms", scaleOutMs));
    Map<String, String> afterOut = placement(clients);
    List<WritingClient.Result> nowOut = results(clients);
    int moved = 0;
    for (int k = 0; k < clients.size(); k++) {
      String name = beforeOut.get(k).name();
      if (nowOut.get(k).connections() != beforeOut.get(k).connections()
          || !Objects.equals(afterOut.get(name), before.get(name))) {
        moved++;
        problems.add(name + " moved by the scale-out: connection " + beforeOut.get(k).connections() + " on "
            + before.get(name) + ", then connection " + nowOut.get(k).connections() + " on " + afterOut.get(name));
      }
    }
    checkAddedServersAreHealthChecked(problems);

    // New joins after the scale-out: some papers' third client lands on a new node.
    List<WritingClient> joiners = new ArrayList<>();
    for (int p = 1; p <= PAPERS; p++) {
      joiners.add(writer(vertx, p, FIRST_CLIENTS_PER_PAPER + 1, seed));
    }
    for (String first : startAll(joiners)) {
      assertThat(first).as("first frame of a join after the scale-out").isEqualTo("snapshot");
    }
    clients.addAll(joiners);
    Map<String, String> joined = placement(clients);
    List<String> split = new ArrayList<>();
    for (WritingClient joiner : joiners) {
      String existing = before.get(name(paperIndex(joiner.paper()), 1));
      if (!Objects.equals(joined.get(joiner.name()), existing)) {
        split.add(joiner.paper() + " (" + existing + " + " + joined.get(joiner.name()) + ")");
      }
    }
    if (split.isEmpty()) {
      problems.add("no new join landed on a new node: the scale-out did not spread new joins");
    }
    JsonObject spreadAt6 = spread(joined);
    awaitTraffic("after the scale-out", clients);

    // ---- 6 -> 2 --------------------------------------------------------------------------------------
    long s1 = System.nanoTime();
    String inLog = cluster.scale(2);
    long scaleInMs = (System.nanoTime() - s1) / 1_000_000;
    String statusAt2 = cluster.status();
    log("scaled in to %d nodes in %d ms:%n%s%n%s", cluster.nodeCount(), scaleInMs, inLog, statusAt2);
    checkStatus(statusAt2, 2, problems);
    steps.add(new JsonObject().put("step", "6 -> 2").put("ms", scaleInMs));
    awaitTraffic("after the scale-in", clients);
    Map<String, String> afterIn = placement(clients);
    JsonObject spreadAt2 = spread(afterIn);
    afterIn.forEach((client, server) -> {
      if (!Set.of("node1", "node2").contains(server)) {
        problems.add(client + " is on " + server + " after the scale-in");
      }
    });
    // Consistent hashing brings a paper's reconnecting sockets back together; so that every paper is also
    // served by both remaining nodes at once after the scale-in, one more writer per paper joins the node
    // that does not hold it, directly on its port.
    List<WritingClient> others = new ArrayList<>();
    for (int p = 1; p <= PAPERS; p++) {
      String holder = afterIn.get(name(p, 1));
      int other = "node1".equals(holder) ? 2 : 1;
      others.add(new WritingClient(vertx, name(p, FIRST_CLIENTS_PER_PAPER + 2), paper(p), cluster.nodePort(other),
          NOTES_PER_CLIENT, seed + p * 10L + 9, 150, 300));
    }
    for (String first : startAll(others)) {
      assertThat(first).as("first frame of a join on the other remaining node").isEqualTo("snapshot");
    }
    clients.addAll(others);
    awaitTraffic("with every paper on both remaining nodes", clients);

    // ---- settle and check ----------------------------------------------------------------------------
    for (WritingClient client : clients) {
      Await.result("stop writing", Duration.ofSeconds(5), client.stopWriting().toCompletionStage());
    }
    try {
      Await.until("every op acked and every client at its paper's seq", Duration.ofSeconds(30), () -> {
        Map<String, Long> seqs = new TreeMap<>();
        for (int p = 1; p <= PAPERS; p++) {
          seqs.put(paper(p), paperState(paper(p)).getLong("seq"));
        }
        return results(clients).stream().allMatch(r -> r.ready() && r.unacked() == 0
            && r.seq() == seqs.get(r.paper()));
      });
    } catch (AssertionError notSettled) {
      problems.add(notSettled.getMessage());
    }
    List<WritingClient.Result> results = results(clients);
    for (WritingClient client : clients) {
      Await.result("closing " + client.name(), Duration.ofSeconds(10), client.close().toCompletionStage());
    }
    Map<String, JsonObject> finalState = new TreeMap<>();
    for (int p = 1; p <= PAPERS; p++) {
      finalState.put(paper(p), paperState(paper(p)));
    }
    Outcome outcome = Outcome.check(results, finalState, problems);

    List<WritingClient.Reconnect> reconnects = outcome.reconnects();
    long resumed = reconnects.stream().filter(c -> "resumed".equals(c.firstFrame())).count();
    long snapshots = reconnects.stream().filter(c -> "snapshot".equals(c.firstFrame())).count();
    double resumedShare = reconnects.isEmpty() ? 1.0 : (double) resumed / reconnects.size();
    List<Long> times = reconnects.stream().map(WritingClient.Reconnect::millis).sorted().toList();
    Long p50 = percentile(times, 0.50);
    Long p99 = percentile(times, 0.99);
    Map<String, Integer> closeCodes = new TreeMap<>();
    reconnects.forEach(c -> closeCodes.merge(Integer.toString(c.closeCode()), 1, Integer::sum));

    JsonObject report = new JsonObject()
        .put("papers", PAPERS).put("clients", clients.size())
        .put("opsSent", outcome.sent()).put("opsAcked", outcome.acked()).put("opsLost", outcome.lost())
        .put("opsNeverAcked", outcome.unacked()).put("opsResent", outcome.resent())
        .put("opsAppliedTwice", outcome.duplicates())
        .put("reconnects", reconnects.size()).put("resumed", resumed).put("snapshots", snapshots)
        .put("resumedShare", resumedShare)
        .put("reconnectMs", new JsonObject().put("p50", p50).put("p99", p99)
            .put("max", times.isEmpty() ? null : times.get(times.size() - 1)))
        .put("closeCodes", new JsonObject(new TreeMap<String, Object>(closeCodes)))
        .put("clientsMovedByScaleOut", moved)
        .put("papersOnTwoNodesAfterScaleOut", new JsonArray(split))
        .put("spread", new JsonObject().put("at3", spreadAt3).put("at6", spreadAt6).put("at2", spreadAt2))
        .put("steps", steps.add(new JsonObject().put("step", "up 3").put("ms", upMs)))
        .put("midConnectionSnapshots", outcome.midConnectionSnapshots())
        .put("problems", new JsonArray(problems.stream().limit(50).toList()))
        .put("durationMs", (System.nanoTime() - t0) / 1_000_000)
        .put("logs", cluster.dir().toString());
    Path json = BUILD_DIR.resolve("scale.json");
    Files.writeString(json, report.encodePrettily() + "\n", StandardCharsets.UTF_8);
    log("figures: ops sent %d, acked %d, lost %d; reconnects %d: resumed %d, snapshot %d (%.3f); reconnect ms p50 %s,"
            + " p99 %s; moved by scale-out %d; papers on two nodes after scale-out %d; steps %s",
        outcome.sent(), outcome.acked(), outcome.lost(), reconnects.size(), resumed, snapshots, resumedShare, p50,
        p99, moved, split.size(), steps.encode());
    log("report written to %s:%n%s", json, report.encodePrettily());

    assertThat(problems).as("problems found (see %s)", json).isEmpty();
    assertThat(outcome.lost()).as("acknowledged ops lost").isZero();
    assertThat(outcome.acked()).as("ops acked").isEqualTo(outcome.sent()).isPositive();
    assertThat(moved).as("clients moved by the scale-out").isZero();
    assertThat(reconnects).as("reconnects (the scale-in drained four nodes)").isNotEmpty();
    assertThat(resumedShare).as("share of reconnects resumed without a snapshot").isGreaterThanOrEqualTo(MIN_RESUMED_SHARE);
    assertThat(p99).as("reconnect p99, ms").isLessThanOrEqualTo(MAX_RECONNECT_P99_MS);
  }

  // ---- helpers --------------------------------------------------------------------------------------

  private static WritingClient writer(Vertx vertx, int paper, int k, long seed) {
    return new WritingClient(vertx, name(paper, k), paper(paper), cluster.balancerPort(), NOTES_PER_CLIENT,
        seed + paper * 10L + k, 150, 300);
  }

  private static String paper(int p) {
    return String.format("scale-%02d", p);
  }

  private static int paperIndex(String paper) {
    return Integer.parseInt(paper.substring("scale-".length()));
  }

  private static String name(int paper, int k) {
    return "p" + paper + "c" + k;
  }

  private static List<String> startAll(List<WritingClient> clients) {
    List<Future<String>> firsts = clients.stream().map(WritingClient::start).toList();
    return firsts.stream().map(f -> Await.result("a first frame", Duration.ofSeconds(30), f.toCompletionStage()))
        .toList();
  }

  /** Waits until every client is connected and the cluster has acked {@link #ACKS_BETWEEN_STEPS} more ops. */
  private static void awaitTraffic(String when, List<WritingClient> clients) {
    long from = results(clients).stream().mapToLong(WritingClient.Result::acked).sum();
    Await.until(ACKS_BETWEEN_STEPS + " more acked ops " + when, Duration.ofSeconds(60), () -> {
      List<WritingClient.Result> now = results(clients);
      return now.stream().allMatch(r -> r.ready() && r.connected())
          && now.stream().mapToLong(WritingClient.Result::acked).sum() >= from + ACKS_BETWEEN_STEPS;
    });
  }

  /** Client name -> the HAProxy server holding its connection. */
  private static Map<String, String> placement(List<WritingClient> clients) {
    Map<Integer, String> byPort = cluster.serverByClientPort();
    Map<String, String> placement = new TreeMap<>();
    for (WritingClient.Result r : results(clients)) {
      placement.put(r.name(), byPort.getOrDefault(r.localPort(), "?"));
    }
    return placement;
  }

  /** Paper -> the servers its clients sit on, and how many clients each server holds. */
  private static JsonObject spread(Map<String, String> placement) {
    Map<String, Set<String>> papers = new TreeMap<>();
    Map<String, Integer> perServer = new TreeMap<>();
    placement.forEach((client, server) -> {
      String paper = paper(Integer.parseInt(client.substring(1, client.indexOf('c'))));
      if (server.equals("?")) {
        return; // not through HAProxy (the writers on a node's own port)
      }
      papers.computeIfAbsent(paper, p -> new TreeSet<>()).add(server);
      perServer.merge(server, 1, Integer::sum);
    });
    JsonObject byPaper = new JsonObject();
    papers.forEach((paper, servers) -> byPaper.put(paper, new JsonArray(new ArrayList<>(servers))));
    return new JsonObject().put("papers", byPaper).put("clientsPerNode", new JsonObject(new TreeMap<String, Object>(perServer)));
  }

  /** {@code scripts/cluster status} lists nodes 1..n, each ready, UP in HAProxy, with a connection count. */
  private static void checkStatus(String status, int nodes, List<String> problems) {
    List<String> nodeLines = status.lines().filter(line -> line.startsWith("node-")).toList();
    List<String> expected = new ArrayList<>();
    for (int i = 1; i <= nodes; i++) {
      expected.add("node-" + i);
    }
    if (!nodeLines.stream().map(line -> line.split("\\s+")[0]).toList().equals(expected)) {
      problems.add("status does not list exactly " + expected + ": " + status);
    }
    if (!nodeLines.stream().allMatch(line -> line.contains("ready=200") && line.contains("haproxy=UP")
        && line.matches(".*connections=\\d+.*"))) {
      problems.add("status shows a node not ready, not UP or without a connection count: " + status);
    }
  }

  /** The servers scale added are health-checked like the configured ones (HAProxy's check status L7OK). */
  private static void checkAddedServersAreHealthChecked(List<String> problems) {
    String stat = cluster.haproxyApi("show stat");
    String[] lines = stat.split("\n");
    List<String> header = List.of(lines[0].substring(2).split(",", -1));
    int sv = header.indexOf("svname");
    int check = header.indexOf("check_status");
    for (String line : lines) {
      String[] cols = line.split(",", -1);
      if (cols.length > check && cols[0].equals("nodes") && cols[sv].matches("node[456]")
          && !cols[check].startsWith("L7OK")) {
        problems.add(cols[sv] + " added by scale has check status '" + cols[check] + "', not L7OK");
      }
    }
  }

  private static JsonObject paperState(String paper) {
    // Through HAProxy's internal frontend: the HTTP API is not on the public one.
    return new JsonObject(Http.get("http://127.0.0.1:" + cluster.internalPort() + "/api/papers/" + paper));
  }

  private static List<WritingClient.Result> results(List<WritingClient> clients) {
    List<Future<WritingClient.Result>> futures = clients.stream().map(WritingClient::result).toList();
    return futures.stream().map(f -> Await.result("a client's state", Duration.ofSeconds(5), f.toCompletionStage()))
        .toList();
  }

  private static Long percentile(List<Long> sorted, double p) {
    if (sorted.isEmpty()) {
      return 0L;
    }
    int rank = (int) Math.ceil(p * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  private static void log(String format, Object... args) {
    System.out.printf("[scale] " + format + "%n", args);
    System.out.flush();
  }
}
