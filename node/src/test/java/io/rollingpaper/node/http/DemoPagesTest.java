package io.rollingpaper.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollingpaper.node.support.Http;
import io.rollingpaper.node.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code DEMO_PAGES}: the demo board is served by default and gone when turned off; the client library stays. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class DemoPagesTest {
  private static final List<String> DEMO_PATHS = List.of("/", "/p/birthday-bob", "/assets/board.js",
      "/assets/board.css", "/assets/index.js");
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
  void demoPagesAreServedByDefault(Vertx vertx, VertxTestContext ctx) {
    statuses(vertx, Map.of()).onComplete(ctx.succeeding(statuses -> ctx.verify(() -> {
      assertThat(statuses).containsExactly(200, 200, 200, 200, 200, 200);
      ctx.completeNow();
    })));
  }

  @Test
  void demoPagesFalseAnswers404ForTheDemoButStillServesTheClientLibrary(Vertx vertx, VertxTestContext ctx) {
    statuses(vertx, Map.of("DEMO_PAGES", "false")).onComplete(ctx.succeeding(statuses -> ctx.verify(() -> {
      // the demo's pages and assets, then /client/rolling-paper.js
      assertThat(statuses).containsExactly(404, 404, 404, 404, 404, 200);
      ctx.completeNow();
    })));
  }

  /** GETs every demo path, then the client library, on a node started with {@code env}. */
  private Future<List<Integer>> statuses(Vertx vertx, Map<String, String> env) {
    return TestNode.start(env).compose(started -> {
      node = started;
      Http http = new Http(vertx, node.port());
      List<Future<Integer>> replies = new java.util.ArrayList<>();
      for (String path : DEMO_PATHS) {
        replies.add(http.get(path).map(Http.Reply::status));
      }
      replies.add(http.get("/client/rolling-paper.js").map(Http.Reply::status));
      return Future.all(replies).map(all -> all.<Integer>list());
    });
  }
}
