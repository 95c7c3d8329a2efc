package io.rollingpaper.node;

import io.rollingpaper.node.support.TestClient;
import io.rollingpaper.node.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.rollingpaper.node.support.TestClient.put;
import static org.assertj.core.api.Assertions.assertThat;

/** A client that stops reading is cut off with 1013 and can resume; the others are not held back. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class SlowClientTest {
  TestNode node;

  @BeforeEach
  void start(VertxTestContext ctx) {
    TestNode.start(Map.of("SEND_QUEUE_SOFT_BYTES", "262144", "SEND_QUEUE_MAX_BYTES", "1048576"))
        .onComplete(ctx.succeeding(started -> {
          node = started;
          ctx.completeNow();
        }));
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    node.stop().onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aClientThatDoesNotReadIsClosedWith1013AndResumes(Vertx vertx, VertxTestContext ctx) {
    // Well past what the kernel's socket buffers and the send queue hold together.
    int ops = 6000;
    String text = "x".repeat(4000);
    TestClient.join(vertx, node.port(), "/ws/slow?user=writer").compose(writer ->
        TestClient.join(vertx, node.port(), "/ws/slow?user=sloth").compose(sloth -> {
          sloth.socket().pause();
          // Whichever comes first: the writer seeing every op, or the writer being closed (a failure).
          Promise<Void> writerKeptUp = Promise.promise();
          sendInWindows(writer, 0, ops, text).onComplete(seen -> writerKeptUp.tryComplete());
          writer.closed().onSuccess(code ->
              writerKeptUp.tryFail(new AssertionError("the writer, which reads, was closed too: " + code)));
          return writerKeptUp.future().compose(all -> {
            // The writer kept up and saw everything; now let the sloth read what it was sent.
            sloth.socket().resume();
            return sloth.closed();
          }).compose(code -> {
            assertThat(code).isEqualTo((short) 1013);
            List<Long> seqs = sloth.deltas().stream().map(d -> d.getLong("seq")).toList();
            assertThat(seqs).as("what it got before the close has no gap").isNotEmpty();
            for (int i = 0; i < seqs.size(); i++) {
              assertThat(seqs.get(i)).isEqualTo(i + 1);
            }
            long last = seqs.get(seqs.size() - 1);
            assertThat(last).isLessThan(ops);
            String epoch = sloth.frames().get(0).getString("epoch");
            return TestClient.join(vertx, node.port(), "/ws/slow?user=sloth&since=" + last + "&epoch=" + epoch);
          }).compose(again -> {
            String first = again.frames().get(0).getString("type");
            assertThat(first).isIn("resumed", "snapshot");
            return "resumed".equals(first) ? again.seq(ops).mapEmpty() : Future.succeededFuture();
          });
        })).onComplete(ctx.succeedingThenComplete());
  }

  /**
   * Sends the ops a window at a time, the next once the writer has seen the last: a writer that reads
   * then never has more than a window (~400 KB) queued, below the hard bound even when this machine is
   * loaded and the test's own event loop reads late. All 6,000 at once once closed the writer too.
   */
  private static Future<Void> sendInWindows(TestClient writer, int from, int ops, String text) {
    if (from >= ops) {
      return Future.succeededFuture();
    }
    int to = Math.min(from + WINDOW, ops);
    for (int i = from; i < to; i++) {
      writer.op(put("n" + (i % 50), "text", text, "i", i));
    }
    return writer.seq(to).compose(seen -> sendInWindows(writer, to, ops, text));
  }

  private static final int WINDOW = 100;
}
