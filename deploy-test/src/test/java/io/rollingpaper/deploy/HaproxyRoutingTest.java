package io.rollingpaper.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.rollingpaper.deploy.support.Haproxy;
import io.rollingpaper.deploy.support.Ports;
import io.rollingpaper.deploy.support.RawHttp;
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
 * /health/ready, and remember the X-Forwarded-For lines they were sent). Checks where requests land,
 * what the public frontend refuses, what the nodes are told about the client and what HAProxy logs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HaproxyRoutingTest {
  static final int NODES = 3;
  static final long DRAIN_READY_DELAY_MS = 5_000;

  int basePort;
  int statsPort;
  int internalPort;
  final List<List<String>> forwardedFor = new ArrayList<>();
  final List<HttpServer> stubs = new ArrayList<>();
  final List<AtomicBoolean> ready = new ArrayList<>();
  Process haproxy;
  Path workDir;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeAll
  void start() throws IOException {
    basePort = Ports.freeBlock(NODES + 1);
    do {
      statsPort = Ports.freeBlock(2);
    } while (statsPort + 1 >= basePort && statsPort <= basePort + NODES);
    internalPort = statsPort + 1;
    for (int i = 1; i <= NODES; i++) {
      String name = "node" + i;
      AtomicBoolean isReady = new AtomicBoolean(true);
      HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), basePort + i), 0);
      s.createContext("/", ex -> {
        if (ex.getRequestURI().getPath().equals("/ws/xff")) {
          synchronized (forwardedFor) {
            forwardedFor.add(List.copyOf(ex.getRequestHeaders().getOrDefault("X-Forwarded-For", List.of())));
          }
        }
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
    workDir = Files.createTempDirectory("haproxy-routing");
    Proc.Result cfg = Proc.run(List.of("bash", Repo.clusterScript().toString(), "haproxy-config",
        "--nodes", String.valueOf(NODES), "--port", String.valueOf(basePort),
        "--stats-port", String.valueOf(statsPort), "--internal-port", String.valueOf(internalPort),
        "--admin-socket", workDir.resolve("haproxy.sock").toString()), Repo.root(), 30);
    assertThat(cfg.exitCode()).as(cfg.output()).isZero();
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
      assertThat(get(internalPort, "/api/papers/" + paper)).as(paper + " API").isEqualTo(node);
      assertThat(get(internalPort, "/api/papers/" + paper + "/ops")).as(paper + " API ops").isEqualTo(node);
      assertThat(get(internalPort, "/ws/" + paper)).as(paper + " on the internal frontend").isEqualTo(node);
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

  @Test
  void publicFrontendRefusesTheApiAndMetricsWithAJson404HoweverThePathIsSpelled() throws Exception {
    List<String> refused = List.of("/api/papers/p1", "/api/papers/p1/complete", "/api", "/metrics", "/metrics/",
        "/metrics?name=x", "/API/papers/p1", "/Metrics", "/%61pi/papers/p1", "/api%2Fpapers/p1", "//api/papers/p1",
        "/./api/papers/p1", "/p/../api/papers/p1", "/p/%2e%2e/metrics");
    for (String path : refused) {
      RawHttp.Response r = RawHttp.get(basePort, path);
      assertThat(r.status()).as("public GET " + path).isEqualTo(404);
      assertThat(r.header("content-type")).as("GET " + path).startsWith("application/json");
      assertThat(r.body()).as("GET " + path).contains("\"code\":\"not_found\"");
    }
    for (String path : List.of("/api/papers/p1", "/metrics")) {
      assertThat(RawHttp.get(internalPort, path).status()).as("internal GET " + path).isEqualTo(200);
    }
    for (String path : List.of("/", "/ws/p1", "/p/p1", "/client/rolling-paper.js", "/health/ready", "/p/apical",
        "/ws/api", "/ws/metrics")) {
      assertThat(RawHttp.get(basePort, path).status()).as("public GET " + path).isEqualTo(200);
    }
  }

  @Test
  void nodesSeeOnlyTheAddressHaproxySawInXForwardedFor() throws Exception {
    synchronized (forwardedFor) {
      forwardedFor.clear();
    }
    for (int port : List.of(basePort, internalPort)) {
      RawHttp.Response r = RawHttp.get(port, "/ws/xff", "X-Forwarded-For: 203.0.113.9",
          "X-Forwarded-For: 198.51.100.1, 198.51.100.2");
      assertThat(r.status()).isEqualTo(200);
    }
    List<List<String>> seen;
    synchronized (forwardedFor) {
      seen = new ArrayList<>(forwardedFor);
    }
    assertThat(seen).as("X-Forwarded-For lines the nodes received").containsExactly(
        List.of("127.0.0.1"), List.of("127.0.0.1"));
  }

  @Test
  void accessLogHasPathsButNeverTheQueryStringWithItsToken() throws Exception {
    String token = "tok" + System.nanoTime();
    get("/ws/logged-paper?since=3&epoch=e1&access_token=" + token);
    get(internalPort, "/api/papers/logged-paper?access_token=" + token);
    Path log = workDir.resolve("haproxy.log");
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> Files.readString(log).contains("/api/papers/logged-paper"));
    String text = Files.readString(log);
    assertThat(text).contains("\"/ws/logged-paper\"").doesNotContain(token).doesNotContain("access_token");
  }

  Map<String, String> mapping(int papers) throws Exception {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < papers; i++) {
      m.put("p" + i, get("/ws/p" + i));
    }
    return m;
  }

  String get(String path) throws Exception {
    return get(basePort, path);
  }

  String get(int port, String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
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
