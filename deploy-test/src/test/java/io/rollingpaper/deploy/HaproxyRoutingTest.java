package io.rollingpaper.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.rollingpaper.deploy.support.Haproxy;
import io.rollingpaper.deploy.support.Ports;
import io.rollingpaper.deploy.support.Proc;
import io.rollingpaper.deploy.support.Repo;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A real HAProxy with the config scripts/cluster generates from the root haproxy.cfg, in front of
 * three stub nodes (plain HTTP servers that answer with their name and have a switchable
 * /health/ready). Checks where requests land.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HaproxyRoutingTest {
  static final int NODES = 3;
  static final long DRAIN_READY_DELAY_MS = 5_000;

  int basePort;
  int statsPort;
  final List<HttpServer> stubs = new ArrayList<>();
  final List<AtomicBoolean> ready = new ArrayList<>();
  Process haproxy;
  Path workDir;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeAll
  void start() throws IOException {
    basePort = Ports.freeBlock(NODES + 1);
    do {
      statsPort = Ports.freeBlock(1);
    } while (statsPort >= basePort && statsPort <= basePort + NODES);
    for (int i = 1; i <= NODES; i++) {
      String name = "node" + i;
      AtomicBoolean isReady = new AtomicBoolean(true);
      HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), basePort + i), 0);
      s.createContext("/", ex -> {
        int status = ex.getRequestURI().getPath().equals("/health/ready") && !isReady.get() ? 503 : 200;
        byte[] body = name.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
        ex.close();
      });
      s.start();
      stubs.add(s);
      ready.add(isReady);
    }
    Proc.Result cfg = Proc.run(List.of("bash", Repo.clusterScript().toString(), "haproxy-config",
        "--nodes", String.valueOf(NODES), "--port", String.valueOf(basePort),
        "--stats-port", String.valueOf(statsPort)), Repo.root(), 30);
    assertThat(cfg.exitCode()).as(cfg.output()).isZero();
    workDir = Files.createTempDirectory("haproxy-routing");
    Path cfgFile = workDir.resolve("haproxy.cfg");
    Files.writeString(cfgFile, cfg.output());
    haproxy = new ProcessBuilder(Haproxy.binary(), "-db", "-f", cfgFile.toString())
        .redirectErrorStream(true)
        .redirectOutput(workDir.resolve("haproxy.log").toFile())
        .start();
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
        .until(() -> serverStatus().values().stream().filter("UP"::equals).count() == NODES);
  }

  @AfterAll
  void stop() throws Exception {
    if (haproxy != null) {
      haproxy.destroy();
      if (!haproxy.waitFor(10, TimeUnit.SECONDS)) {
        haproxy.destroyForcibly();
      }
    }
    stubs.forEach(s -> s.stop(0));
  }

  @Test
  void everyPathOfAPaperReachesTheSameNode() throws Exception {
    for (int i = 0; i < 30; i++) {
      String paper = "paper-" + i;
      String node = get("/ws/" + paper);
      assertThat(get("/ws/" + paper + "?since=12&epoch=e1&access_token=x")).as(paper + " with query").isEqualTo(node);
      assertThat(get("/api/papers/" + paper)).as(paper + " API").isEqualTo(node);
      assertThat(get("/api/papers/" + paper + "/ops")).as(paper + " API ops").isEqualTo(node);
      assertThat(get("/p/" + paper)).as(paper + " board").isEqualTo(node);
    }
  }

  @Test
  void papersAreSpreadOverAllNodes() throws Exception {
    Set<String> used = new HashSet<>(mapping(60).values());
    assertThat(used).containsExactlyInAnyOrder("node1", "node2", "node3");
  }

  @Test
  void requestsWithoutAPaperIdAreSpreadRoundRobin() throws Exception {
    Set<String> used = new HashSet<>();
    for (int i = 0; i < 9; i++) {
      used.add(get("/client/rolling-paper.js"));
    }
    assertThat(used).hasSizeGreaterThan(1);
  }

  @Test
  void aDrainingNodeLeavesRotationWithinTheReadyDelayAndOnlyItsPapersMove() throws Exception {
    Map<String, String> before = mapping(60);
    assertThat(before).containsValue("node2");
    long t0 = System.nanoTime();
    ready.get(1).set(false);
    try {
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
          .until(() -> "DOWN".equals(serverStatus().get("node2")));
      long detectedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(detectedMs).as("ms until HAProxy marked the draining node down")
          .isLessThan(DRAIN_READY_DELAY_MS);

      Map<String, String> during = mapping(60);
      before.forEach((paper, node) -> {
        if (node.equals("node2")) {
          assertThat(during.get(paper)).as(paper + " moved off the draining node").isNotEqualTo("node2");
        } else {
          assertThat(during.get(paper)).as(paper + " stays where it was").isEqualTo(node);
        }
      });
    } finally {
      ready.get(1).set(true);
    }
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
        .until(() -> "UP".equals(serverStatus().get("node2")));
    assertThat(mapping(60)).as("papers return to the node once it is back").isEqualTo(before);
  }

  @Test
  void statsPortServesHealthzAndPrometheusMetrics() throws Exception {
    HttpResponse<String> healthz = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + statsPort + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(healthz.statusCode()).isEqualTo(200);
    HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + statsPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("haproxy_backend_active_servers{proxy=\"nodes\"}");
  }

  Map<String, String> mapping(int papers) throws Exception {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < papers; i++) {
      m.put("p" + i, get("/ws/p" + i));
    }
    return m;
  }

  String get(String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + basePort + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("GET " + path).isEqualTo(200);
    return r.body();
  }

  /** Server name to status (UP, DOWN, ...) from the stats page's CSV. */
  Map<String, String> serverStatus() {
    Map<String, String> m = new LinkedHashMap<>();
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + statsPort + "/;csv")).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.ofString());
      for (String line : r.body().split("\n")) {
        String[] f = line.split(",", -1);
        if (f.length > 17 && f[0].equals("nodes") && f[1].startsWith("node")) {
          m.put(f[1], f[17].split(" ")[0]);
        }
      }
    } catch (IOException e) {
      // not listening yet
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return m;
  }
}
