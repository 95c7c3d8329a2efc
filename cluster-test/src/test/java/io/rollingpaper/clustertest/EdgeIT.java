package io.rollingpaper.clustertest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the edge does, with real processes: one node (TRUST_FORWARDED_FOR=true, as scripts/cluster and
 * the chart run it) behind HAProxy configured from the root haproxy.cfg. Spoofed X-Forwarded-For does not
 * escape the per-address cap; the public frontend refuses /api and /metrics, the internal one serves
 * them; HAProxy's access log never holds a token.
 */
@ExtendWith(VertxExtension.class)
class EdgeIT {
  private static final int CAP = 3;
  private static final Path BUILD_DIR = Path.of(System.getProperty("cluster.test.dir", "target")).toAbsolutePath();
  private static final Path REPO_ROOT = Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();
  private static final Path NODE_JAR = Path.of(System.getProperty("node.jar",
      REPO_ROOT.resolve("node/target/rolling-paper-node.jar").toString())).toAbsolutePath().normalize();

  private static LocalCluster cluster;
  // HTTP/1.1 only: java.net.http would offer an h2c upgrade that the node accepts behind HAProxy
  // and HAProxy then only tunnels.
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeAll
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  static void startCluster() throws IOException {
    assertThat(NODE_JAR).as("the node's shaded jar (mvn -B -pl node -am package -DskipTests)").isRegularFile();
    Map<String, String> env = Map.of("AUTH_DISABLED", "true", "MAX_CONNECTIONS_PER_ADDRESS", Integer.toString(CAP));
    List<String> jvm = List.of("-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    cluster = new LocalCluster(REPO_ROOT, NODE_JAR, BUILD_DIR.resolve("edge"), 1, env, jvm);
    try {
      cluster.start();
    } catch (IOException | RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void spoofedXForwardedForIsCountedUnderTheRealAddressThroughHaproxy(Vertx vertx) {
    WebSocketClient client = vertx.createWebSocketClient();
    List<WebSocket> open = new ArrayList<>();
    try {
      for (int k = 1; k <= CAP; k++) {
        Outcome outcome = join(client, "10.0.0." + k);
        assertThat(outcome.answer()).as("socket %d of %d, X-Forwarded-For 10.0.0.%d", k, CAP, k).isEqualTo("accepted");
        open.add(outcome.socket());
      }
      Outcome over = join(client, "10.0.0.99, 203.0.113.5");
      assertThat(over.answer()).as("one socket over the cap, with yet another forged address")
          .isEqualTo("rate_limited");
    } finally {
      open.forEach(WebSocket::close);
      Await.result("closing the client", Duration.ofSeconds(5), client.close().toCompletionStage());
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void publicFrontendRefusesApiAndMetricsAndTheInternalOneServesThem(Vertx vertx) throws Exception {
    String paper = "edge-api";
    WebSocketClient client = vertx.createWebSocketClient();
    try {
      for (String path : List.of("/api/papers/" + paper, "/metrics", "/%61pi/papers/" + paper, "/METRICS")) {
        HttpResponse<String> refused = get(cluster.balancerPort(), path);
        assertThat(refused.statusCode()).as("public GET " + path).isEqualTo(404);
        assertThat(refused.headers().firstValue("content-type")).as("public GET " + path)
            .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        assertThat(new JsonObject(refused.body()).getString("code")).isEqualTo("not_found");
      }
      HttpResponse<String> metrics = get(cluster.internalPort(), "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body()).contains("rpl_connections");
      // The node itself answers on the internal frontend (404 JSON "no live state" for an unknown paper,
      // not HAProxy's refusal): the request reached it.
      HttpResponse<String> api = get(cluster.internalPort(), "/api/papers/" + paper);
      assertThat(api.body()).doesNotContain("no such path").contains("\"code\"");
      assertThat(get(cluster.balancerPort(), "/").statusCode()).as("public GET /").isEqualTo(200);
      assertThat(get(cluster.balancerPort(), "/client/rolling-paper.js").statusCode()).isEqualTo(200);
      WebSocket socket = Await.result("a socket through the public frontend", Duration.ofSeconds(10),
          client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(cluster.balancerPort())
              .setURI("/ws/" + paper + "?user=viewer")).toCompletionStage());
      socket.close();
    } finally {
      client.close();
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void haproxyAccessLogNeverHoldsTheAccessToken(Vertx vertx) throws Exception {
    String token = "secret-token-" + System.nanoTime();
    WebSocketClient client = vertx.createWebSocketClient();
    WebSocket socket = Await.result("a socket with a token in its URL", Duration.ofSeconds(10),
        client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(cluster.balancerPort())
            .setURI("/ws/edge-log?user=ann&access_token=" + token)).toCompletionStage());
    // HAProxy logs a tunnel when it ends.
    Await.result("closing", Duration.ofSeconds(5), socket.close().toCompletionStage());
    get(cluster.internalPort(), "/api/papers/edge-log?access_token=" + token);
    Path log = cluster.haproxyLog();
    Await.until("HAProxy to log both requests", Duration.ofSeconds(15), () -> {
      String text = read(log);
      return text.contains("\"/ws/edge-log\"") && text.contains("\"/api/papers/edge-log\"");
    });
    assertThat(read(log)).doesNotContain(token).doesNotContain("access_token");
    client.close();
  }

  // ---- helpers ----------------------------------------------------------------------------------

  record Outcome(String answer, WebSocket socket) {
  }

  /**
   * Joins through the balancer with a forged X-Forwarded-For. Accepts either form of a cap refusal:
   * HTTP 429 before the upgrade, or in-band (an {@code error} frame {@code rate_limited}, close 4429).
   */
  private static Outcome join(WebSocketClient client, String forgedForwardedFor) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1")
        .setPort(cluster.balancerPort()).setURI("/ws/edge-cap?user=u" + System.nanoTime())
        .addHeader("X-Forwarded-For", forgedForwardedFor);
    Future<Outcome> outcome = client.connect(options).transform(connected -> {
      if (connected.failed()) {
        return connected.cause() instanceof UpgradeRejectedException rejected && rejected.getStatus() == 429
            ? Future.succeededFuture(new Outcome("rate_limited", null))
            : Future.failedFuture(connected.cause());
      }
      return firstAnswer(connected.result());
    });
    return Await.result("a join with X-Forwarded-For " + forgedForwardedFor, Duration.ofSeconds(15),
        outcome.toCompletionStage());
  }

  private static Future<Outcome> firstAnswer(WebSocket socket) {
    Promise<Outcome> answer = Promise.promise();
    socket.textMessageHandler(text -> {
      JsonObject frame = new JsonObject(text);
      if ("snapshot".equals(frame.getString("type"))) {
        answer.tryComplete(new Outcome("accepted", socket));
      } else if ("error".equals(frame.getString("type")) && "rate_limited".equals(frame.getString("code"))) {
        socket.closeHandler(closed -> answer.tryComplete(new Outcome(
            socket.closeStatusCode() == 4429 ? "rate_limited" : "error, then close " + socket.closeStatusCode(), null)));
      } else {
        answer.tryComplete(new Outcome("unexpected first frame " + text, socket));
      }
    });
    socket.closeHandler(closed -> answer.tryComplete(new Outcome("closed " + socket.closeStatusCode(), null)));
    return answer.future();
  }

  private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "";
    }
  }
}
