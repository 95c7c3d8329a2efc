package io.rollingpaper.node.wire;

import io.rollingpaper.node.support.RawWebSocket;
import io.rollingpaper.node.support.TestClient;
import io.rollingpaper.node.support.TestNode;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The node's own slowloris defence ({@code HANDSHAKE_TIMEOUT}, 300 ms here), and that it spares WebSockets. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class HandshakeTimeoutTest {
  private static final long TIMEOUT_MS = 300;
  static TestNode node;

  @BeforeAll
  static void start(VertxTestContext ctx) {
    TestNode.start(Map.of("HANDSHAKE_TIMEOUT", TIMEOUT_MS + "ms")).onComplete(ctx.succeeding(started -> {
      node = started;
      ctx.completeNow();
    }));
  }

  @AfterAll
  static void stop(VertxTestContext ctx) {
    node.stop().onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aConnectionThatSendsNothingIsClosed(Vertx vertx, VertxTestContext ctx) {
    RawWebSocket.connect(vertx, node.port())
        .compose(raw -> raw.ended().timeout(10 * TIMEOUT_MS, TimeUnit.MILLISECONDS))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aRequestHeadDribbledByteByByteIsClosedBeforeItEnds(Vertx vertx, VertxTestContext ctx) {
    RawWebSocket.connect(vertx, node.port()).compose(raw -> {
      byte[] head = raw.handshake("/ws/slow?user=loris", Map.of()).getBytes(StandardCharsets.US_ASCII);
      // One byte every 50 ms: the whole head would take seconds, each byte well inside any idle timeout.
      int[] next = {0};
      long timer = vertx.setPeriodic(50, id -> {
        if (next[0] < head.length) {
          raw.write(Buffer.buffer(new byte[] {head[next[0]++]}));
        }
      });
      return raw.ended().timeout(10 * TIMEOUT_MS, TimeUnit.MILLISECONDS)
          .eventually(() -> {
            vertx.cancelTimer(timer);
            return raw.close();
          })
          .map(ended -> next[0] < head.length);
    }).onComplete(ctx.succeeding(cutShort -> ctx.verify(() -> {
      assertThat(cutShort).as("closed before the head was complete").isTrue();
      ctx.completeNow();
    })));
  }

  @Test
  void aKeptAliveConnectionIdleAfterItsResponseIsClosed(Vertx vertx, VertxTestContext ctx) {
    RawWebSocket.connect(vertx, node.port()).compose(raw -> {
      raw.write(Buffer.buffer("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
      return raw.responseHead().compose(head -> raw.ended().timeout(10 * TIMEOUT_MS, TimeUnit.MILLISECONDS)
          .map(head));
    }).onComplete(ctx.succeeding(head -> ctx.verify(() -> {
      assertThat(head).startsWith("HTTP/1.1 200");
      ctx.completeNow();
    })));
  }

  @Test
  void aQuietWebSocketOutlivesTheHandshakeTimeout(Vertx vertx, VertxTestContext ctx) {
    TestClient.join(vertx, node.port(), "/ws/quiet-ws?user=quiet").compose(client -> {
      Promise<Void> later = Promise.promise();
      vertx.setTimer(5 * TIMEOUT_MS, t -> later.complete());
      return later.future().compose(ignored -> client.apply(TestClient.put("n1", "text", "still open")))
          .map(acked -> client).eventually(client::close);
    }).onComplete(ctx.succeeding(client -> ctx.verify(() -> {
      ctx.completeNow();
    })));
  }
}
