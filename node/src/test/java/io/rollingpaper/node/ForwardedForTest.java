package io.rollingpaper.node;

import io.rollingpaper.node.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TRUST_FORWARDED_FOR: the per-address cap counts the address the balancer saw, which is the last entry
 * of the last X-Forwarded-For line (HAProxy adds a line of its own after whatever the client sent).
 * The full path through a real HAProxy is tested in cluster-test (EdgeIT).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class ForwardedForTest {
  static final String BALANCER_SAW = "198.51.100.7";
  TestNode node;

  @AfterEach
  void stop(VertxTestContext ctx) {
    if (node == null) {
      ctx.completeNow();
    } else {
      node.stop().onComplete(ctx.succeedingThenComplete());
    }
  }

  @Test
  void spoofedFirstLinesDoNotEscapeTheCapOfTheAddressTheBalancerAppended(Vertx vertx, VertxTestContext ctx) {
    WebSocketClient client = vertx.createWebSocketClient();
    TestNode.start(Map.of("TRUST_FORWARDED_FOR", "true", "MAX_CONNECTIONS_PER_ADDRESS", "2"))
        .onSuccess(started -> node = started)
        .compose(n -> join(client, node.port(), List.of("10.0.0.1", BALANCER_SAW)))
        .compose(first -> {
          assertThat(first).as("first socket").isEqualTo("accepted");
          return join(client, node.port(), List.of("10.0.0.2, 10.9.9.9", "203.0.113.1, " + BALANCER_SAW));
        })
        .compose(second -> {
          assertThat(second).as("second socket, last entry of a two-entry line").isEqualTo("accepted");
          return join(client, node.port(), List.of("10.0.0.3", BALANCER_SAW));
        })
        .compose(third -> {
          assertThat(third).as("a third socket from " + BALANCER_SAW + " with yet another spoofed first line")
              .isEqualTo("rate_limited");
          return join(client, node.port(), List.of(BALANCER_SAW, "198.51.100.8"));
        })
        .map(other -> {
          assertThat(other).as("another real address, even naming the capped one first").isEqualTo("accepted");
          return null;
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  /**
   * Opens a socket with one X-Forwarded-For header line per element and tells whether the node accepted
   * it ("accepted": a snapshot) or refused it for a cap ("rate_limited"), whichever way the refusal comes:
   * HTTP 429 before the upgrade, or in-band (an {@code error} frame {@code rate_limited}, close 4429).
   */
  static Future<String> join(WebSocketClient client, int port, List<String> forwardedFor) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1")
        .setPort(port).setURI("/ws/xff?user=u" + System.nanoTime());
    forwardedFor.forEach(line -> options.addHeader("X-Forwarded-For", line));
    // The handlers go on before the connect: see TestClient's constructor (a frame read before a late handler is dropped).
    ClientWebSocket socket = client.webSocket();
    Future<String> answer = firstAnswer(socket);
    return socket.connect(options).transform(connected -> {
      if (connected.failed()) {
        return connected.cause() instanceof UpgradeRejectedException rejected && rejected.getStatus() == 429
            ? Future.succeededFuture("rate_limited")
            : Future.failedFuture(connected.cause());
      }
      return answer;
    });
  }

  private static Future<String> firstAnswer(WebSocket socket) {
    Promise<String> answer = Promise.promise();
    socket.textMessageHandler(text -> {
      JsonObject frame = new JsonObject(text);
      if ("snapshot".equals(frame.getString("type"))) {
        answer.tryComplete("accepted");
      } else if ("error".equals(frame.getString("type")) && "rate_limited".equals(frame.getString("code"))) {
        socket.closeHandler(closed -> answer.tryComplete(socket.closeStatusCode() == 4429 ? "rate_limited"
            : "error frame, then close " + socket.closeStatusCode()));
      } else {
        answer.tryComplete("unexpected first frame " + text);
      }
    });
    socket.closeHandler(closed -> answer.tryComplete("closed " + socket.closeStatusCode()));
    return answer.future();
  }
}
