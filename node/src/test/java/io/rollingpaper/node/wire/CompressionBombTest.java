package io.rollingpaper.node.wire;

import io.rollingpaper.node.support.Bystander;
import io.rollingpaper.node.support.RawWebSocket;
import io.rollingpaper.node.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.zip.Deflater;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10, "a viewer's compression bomb stalls the whole node": hand-made frames from a raw TCP
 * client — deflate bombs after offering permessage-deflate (and per-frame deflate), RSV1 frames
 * nobody negotiated, continuation floods — while a bystander on another paper measures its signal
 * round trips. The node negotiates no compression, refuses every such frame without inflating it, and
 * keeps serving everyone else.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class CompressionBombTest {
  private static final Logger LOG = LoggerFactory.getLogger(CompressionBombTest.class);
  /** The correctness bound issue 10 names: no bystander waits longer than this for a round trip. */
  private static final long MAX_ROUND_TRIP_MS = 250;
  private static final int PROTOCOL_ERROR = 1002;
  private static final int POLICY = 1008;
  private static final List<String> OFFERS = List.of(
      "permessage-deflate; client_max_window_bits",
      "permessage-deflate; client_no_context_takeover; server_no_context_takeover",
      "x-webkit-deflate-frame",
      "deflate-frame");

  static TestNode node;
  /** 32 MiB of spaces, raw-deflated to about 32 KiB: what inflated for seconds on the event loop. */
  static byte[] bomb;

  @BeforeAll
  static void start(VertxTestContext ctx) {
    bomb = deflate(" ".repeat(32 * 1024 * 1024).getBytes(StandardCharsets.US_ASCII));
    TestNode.start(Map.of("RATE_SIGNALS_PER_SECOND", "100000", "RATE_SIGNALS_BURST", "100000"))
        .onComplete(ctx.succeeding(started -> {
          node = started;
          ctx.completeNow();
        }));
  }

  @AfterAll
  static void stop(VertxTestContext ctx) {
    node.stop().onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void noCompressionExtensionIsNegotiatedWhateverTheClientOffers(Vertx vertx, VertxTestContext ctx) {
    List<Future<String>> heads = new ArrayList<>();
    for (String offer : OFFERS) {
      heads.add(RawWebSocket.upgrade(vertx, node.port(), "/ws/offers?user=u", Map.of("Sec-WebSocket-Extensions", offer))
          .compose(raw -> raw.responseHead().eventually(raw::close)));
    }
    Future.all(heads).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      for (int i = 0; i < OFFERS.size(); i++) {
        String head = all.resultAt(i);
        assertThat(head).as(OFFERS.get(i)).startsWith("HTTP/1.1 101");
        assertThat(head.toLowerCase()).as(OFFERS.get(i)).doesNotContain("sec-websocket-extensions");
      }
      ctx.completeNow();
    })));
  }

  @Test
  void bombsRsv1FramesAndContinuationFloodsAreRefusedWhileABystanderIsServedInTime(Vertx vertx,
                                                                                   VertxTestContext ctx) {
    // Every payload is built before the bystander starts: the test's own event loop carries its clients too.
    Buffer bombFrame = RawWebSocket.encode(true, true, RawWebSocket.TEXT, bomb);
    Buffer fragmentedBomb = RawWebSocket.encode(false, true, RawWebSocket.TEXT,
            java.util.Arrays.copyOf(bomb, bomb.length / 2))
        .appendBuffer(RawWebSocket.encode(true, false, RawWebSocket.CONTINUATION,
            java.util.Arrays.copyOfRange(bomb, bomb.length / 2, bomb.length)));
    Buffer rsv1Text = RawWebSocket.encode(true, true, RawWebSocket.TEXT, "{\"type\":\"signal\",\"data\":1}".getBytes());
    Buffer rsv1Binary = RawWebSocket.encode(true, true, RawWebSocket.BINARY, bomb);
    Buffer strayContinuations = flood(10_000, false);
    Buffer continuationFlood = flood(100_000, true);
    List<String> outcomes = new ArrayList<>();
    List<Supplier<Future<String>>> attacks = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String offer = OFFERS.get(i % OFFERS.size());
      attacks.add(() -> attack(vertx, "deflate bomb, offered " + offer, offer, bombFrame, PROTOCOL_ERROR));
    }
    attacks.add(() -> attack(vertx, "per-frame bomb in fragments", OFFERS.get(3), fragmentedBomb, PROTOCOL_ERROR));
    attacks.add(() -> attack(vertx, "RSV1 text, nothing offered", null, rsv1Text, PROTOCOL_ERROR));
    attacks.add(() -> attack(vertx, "RSV1 binary, nothing offered", null, rsv1Binary, PROTOCOL_ERROR));
    attacks.add(() -> attack(vertx, "continuation frames with no message started", null, strayContinuations,
        PROTOCOL_ERROR));
    attacks.add(() -> attack(vertx, "a message in 100,000 empty continuation frames", null, continuationFlood,
        POLICY));

    long started = System.nanoTime();
    Bystander.join(vertx, node.port(), "?user=by-a", "?user=by-b")
        .compose(bystander -> bystander.warmUp(200).map(bystander)).compose(bystander -> {
      bystander.start();
      Future<Void> chain = Future.succeededFuture();
      for (Supplier<Future<String>> attack : attacks) {
        chain = chain.compose(ignored -> attack.get().map(outcome -> {
          outcomes.add(outcome);
          return null;
        }));
      }
      return chain.eventually(bystander::stop).eventually(bystander::close).map(bystander);
    }).onComplete(ctx.succeeding(bystander -> ctx.verify(() -> {
      LOG.info("compression attacks in {} ms: {}; bystander: {} round trips, worst {} ms",
          (System.nanoTime() - started) / 1_000_000, outcomes, bystander.roundTripsMs().size(), bystander.worstMs());
      assertThat(outcomes).allMatch(o -> o.endsWith(": as expected"));
      assertThat(bystander.roundTripsMs()).hasSizeGreaterThan(10);
      assertThat(bystander.worstMs()).as("slowest bystander signal round trip, ms").isLessThan(MAX_ROUND_TRIP_MS);
      assertThat(bystander.healthFailures()).as("/health/live").isEmpty();
      ctx.completeNow();
    })));
  }

  /** Joins with a raw socket, sends the attack, and describes how the node ended the connection. */
  private Future<String> attack(Vertx vertx, String name, String offer, Buffer frames, int expectedClose) {
    Map<String, String> headers = offer == null ? Map.of() : Map.of("Sec-WebSocket-Extensions", offer);
    return RawWebSocket.upgrade(vertx, node.port(), "/ws/victim?user=attacker", headers).compose(raw -> {
      raw.write(frames);
      return raw.ended().timeout(20, TimeUnit.SECONDS)
          .map(ignored -> name + ": close " + raw.closeCode()
              + (raw.closeCode() != null && raw.closeCode() == expectedClose ? ": as expected" : ", expected " + expectedClose))
          .recover(error -> Future.succeededFuture(name + ": still open after 20 s, close " + raw.closeCode()))
          .eventually(raw::close);
    });
  }

  /** Empty continuation frames, after a TEXT frame that starts a message or with none. */
  private static Buffer flood(int frames, boolean started) {
    Buffer all = Buffer.buffer();
    if (started) {
      all.appendBuffer(RawWebSocket.encode(false, false, RawWebSocket.TEXT, "{\"type\":".getBytes()));
    }
    for (int i = 0; i < frames; i++) {
      all.appendBuffer(RawWebSocket.encode(false, false, RawWebSocket.CONTINUATION, new byte[0]));
    }
    return all;
  }

  static byte[] deflate(byte[] input) {
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
    deflater.setInput(input);
    deflater.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] chunk = new byte[64 * 1024];
    while (!deflater.finished()) {
      out.write(chunk, 0, deflater.deflate(chunk));
    }
    deflater.end();
    return out.toByteArray();
  }
}
