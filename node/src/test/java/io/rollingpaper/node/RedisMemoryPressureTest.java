package io.rollingpaper.node;

import java.util.List;
import java.util.ArrayList;
import io.rollingpaper.node.support.Http;
import io.rollingpaper.node.support.RedisAdmin;
import io.rollingpaper.node.support.RedisServer;
import io.rollingpaper.node.support.TestClient;
import io.rollingpaper.node.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.rollingpaper.node.support.TestClient.patch;
import static io.rollingpaper.node.support.TestClient.put;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis at its limits: over {@code maxmemory} (noeviction) every write is refused whole, before the script
 * runs, and answered {@code unavailable}, while deletes and leaves (which free memory) go on; and a note at
 * the largest configurable size and field count is written and read back exactly, never half.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class RedisMemoryPressureTest {
  static final int MAX_NOTE_BYTES = 8 * 1024 * 1024;
  static final int MAX_NOTE_FIELDS = 4000;
  static final int FILLER_BYTES = 2 * 1024 * 1024;

  RedisServer redis;
  TestNode node;
  Http http;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    redis = RedisServer.start();
    // The largest note the configuration allows (MAX_NOTE_BYTES at its maximum) in the largest frame.
    TestNode.start(Map.of("REDIS_URL", redis.url(), "MAX_FRAME_BYTES", Integer.toString(16 * 1024 * 1024),
        "MAX_NOTE_BYTES", Integer.toString(MAX_NOTE_BYTES), "MAX_NOTE_FIELDS", Integer.toString(MAX_NOTE_FIELDS),
        "PAPER_CHECK_INTERVAL", "200ms")).onComplete(ctx.succeeding(started -> {
          node = started;
          http = new Http(vertx, node.port());
          ctx.completeNow();
        }));
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    node.stop().onComplete(ignored -> {
      redis.close();
      ctx.completeNow();
    });
  }

  Future<TestClient> join(Vertx vertx, String paper, String user) {
    return TestClient.join(vertx, node.port(), "/ws/" + paper + "?user=" + user);
  }

  Future<Response> redisCommand(Vertx vertx, Request request) {
    return RedisAdmin.send(vertx, redis.url(), request);
  }

  /**
   * A filler value, then maxmemory just under what Redis now uses, noeviction: Redis is full. (maxmemory
   * above the used memory and a filler to cross it does not work: the filler's own command is refused.)
   */
  Future<Void> fillRedis(Vertx vertx) {
    return redisCommand(vertx, Request.cmd(Command.SET).arg("filler").arg("f".repeat(FILLER_BYTES)))
        .compose(ok -> RedisAdmin.info(vertx, redis.url(), "memory"))
        .compose(memory -> {
          long used = Long.parseLong(memory.get("used_memory"));
          return redisCommand(vertx, Request.cmd(Command.CONFIG).arg("SET").arg("maxmemory-policy").arg("noeviction"))
              .compose(ok -> redisCommand(vertx, Request.cmd(Command.CONFIG).arg("SET").arg("maxmemory")
                  .arg(Long.toString(used - FILLER_BYTES / 4))));
        })
        .compose(ok -> redisCommand(vertx, Request.cmd(Command.SET).arg("probe").arg("p")).transform(probe -> {
          assertThat(probe.failed()).as("Redis is over maxmemory").isTrue();
          assertThat(probe.cause().getMessage()).startsWith("OOM");
          return Future.<Void>succeededFuture();
        }));
  }

  Future<Void> emptyRedisOf(Vertx vertx, String paper) {
    return redisCommand(vertx, Request.cmd(Command.KEYS).arg("rp:{" + paper + "}*")).map(keys -> {
      // A deleted paper leaves only its tombstone (TOMBSTONE_TTL), so the delete stays final.
      List<String> left = new ArrayList<>();
      keys.forEach(key -> left.add(key.toString()));
      left.removeIf(key -> key.endsWith(":tomb"));
      assertThat(left).as("keys of paper %s", paper).isEmpty();
      return null;
    });
  }

  @Test
  void overMaxmemoryWritesAreUnavailableAndWriteNothingWhileLeaveAndDeleteWork(Vertx vertx, VertxTestContext ctx) {
    JsonObject before = new JsonObject().put("id", "n1").put("t", "before").put("author", "ann");
    join(vertx, "full", "ann").compose(ann -> ann.apply(put("n1", "t", "before"))
        .compose(ack -> http.post("/api/papers/doomed/ops", new JsonObject().put("op", put("d1")).encode()))
        .compose(created -> {
          assertThat(created.status()).isEqualTo(200);
          return join(vertx, "full", "bob");
        })
        .compose(bob -> fillRedis(vertx)
            // Replacing a note (the script used to DEL first and then write past maxmemory), a new note, a patch.
            .compose(full -> ann.error(ann.op(put("n1", "t", "replaced"))))
            .compose(e -> {
              assertThat(e.getString("code")).isEqualTo("unavailable");
              return ann.error(ann.op(put("n2")));
            })
            .compose(e -> {
              assertThat(e.getString("code")).isEqualTo("unavailable");
              return ann.error(ann.op(patch("n1", new JsonObject().put("t", "patched"))));
            })
            .compose(e -> {
              assertThat(e.getString("code")).isEqualTo("unavailable");
              return http.post("/api/papers/full/ops", new JsonObject().put("op", put("n3")).encode());
            })
            .compose(reply -> {
              assertThat(reply.status()).isEqualTo(503);
              assertThat(reply.json().getString("code")).isEqualTo("unavailable");
              return http.post("/api/papers/fresh/ops", new JsonObject().put("op", put("f1")).encode());
            })
            .compose(reply -> {
              assertThat(reply.status()).as("a new paper's first op over maxmemory").isEqualTo(503);
              assertThat(reply.json().getString("code")).isEqualTo("unavailable");
              return TestClient.connect(vertx, node.port(), "/ws/fresh-ws?user=carl");
            })
            // A join that cannot open its paper is closed 1011 ("reconnect with since after a back-off").
            .compose(carl -> carl.closed())
            .compose(code -> {
              assertThat(code).isEqualTo((short) 1011);
              // Reading needs no memory: the paper is exactly as it was before Redis filled up.
              return http.get("/api/papers/full");
            })
            .compose(paper -> {
              assertThat(paper.status()).isEqualTo(200);
              assertThat(paper.json().getLong("seq")).isEqualTo(1);
              assertThat(paper.json().getJsonArray("notes").getList()).hasSize(1);
              assertThat(paper.json().getJsonArray("notes").getJsonObject(0)).isEqualTo(before);
              return emptyRedisOf(vertx, "fresh").compose(ok -> emptyRedisOf(vertx, "fresh-ws"));
            })
            // A leave and a delete still work while Redis is full.
            .compose(ok -> bob.close())
            .compose(closed -> ann.waitFor(f -> "presence".equals(f.getString("type"))
                && f.getJsonArray("left").contains("bob")))
            .compose(left -> http.delete("/api/papers/doomed"))
            .compose(deleted -> {
              assertThat(deleted.status()).isEqualTo(204);
              return emptyRedisOf(vertx, "doomed");
            }))
        .compose(ok -> {
          assertThat(ann.closed().isComplete()).as("the writer's session stays").isFalse();
          return redisCommand(vertx, Request.cmd(Command.CONFIG).arg("SET").arg("maxmemory").arg("0"));
        })
        // Memory again: the same session writes, a new paper opens.
        .compose(raised -> ann.apply(put("n1", "t", "after")))
        .compose(ack -> {
          assertThat(ack.getLong("seq")).as("nothing refused took a seq").isEqualTo(2);
          return join(vertx, "fresh-ws", "carl");
        })
        .map(carl -> {
          assertThat(carl.frames().get(0).getString("type")).isEqualTo("snapshot");
          return null;
        })).onComplete(ctx.succeedingThenComplete());
  }

  /**
   * A note of exactly MAX_NOTE_BYTES (8 MiB, the most MAX_NOTE_BYTES may be) with MAX_NOTE_FIELDS fields:
   * put, patched and read back equal. Before, a note of some 4,000 fields failed inside the script after it
   * had deleted the old note, which left an empty {} behind.
   */
  @Test
  void aNoteAtTheLargestSizeAndAtTheFieldCapRoundTripsExactly(Vertx vertx, VertxTestContext ctx) {
    JsonObject note = largestNote();
    JsonObject stored = note.copy().put("author", "ann");
    assertThat(stored.encode().length()).isEqualTo(MAX_NOTE_BYTES);
    JsonObject patched = stored.copy();
    patched.remove("f1");
    patched.put("f2", "changed").put("g", "new");
    join(vertx, "big", "ann").compose(ann -> ann.apply(new JsonObject().put("kind", "note.put").put("note", note))
        .compose(ack -> {
          assertThat(ack.getJsonObject("op").getJsonObject("note")).isEqualTo(stored);
          return join(vertx, "big", "bob");
        })
        .compose(bob -> {
          assertThat(bob.frames().get(0).getJsonArray("notes").getJsonObject(0)).isEqualTo(stored);
          // At the cap: one more field is too large, and the note stays whole.
          return ann.error(ann.op(patch("big", new JsonObject().put("g", "new"))));
        })
        .compose(e -> {
          assertThat(e.getString("code")).isEqualTo("too_large");
          return ann.apply(patch("big", new JsonObject().putNull("f1").put("f2", "changed").put("g", "new")));
        })
        .compose(ack -> {
          assertThat(ack.getLong("seq")).isEqualTo(2);
          return http.get("/api/papers/big");
        })
        .map(paper -> {
          assertThat(paper.json().getJsonArray("notes").getJsonObject(0)).isEqualTo(patched);
          return null;
        })).onComplete(ctx.succeedingThenComplete());
  }

  /** Note "big" with MAX_NOTE_FIELDS fields (id included), MAX_NOTE_BYTES long once the server adds author ann. */
  static JsonObject largestNote() {
    JsonObject note = new JsonObject().put("id", "big");
    int fields = MAX_NOTE_FIELDS - 1;
    int authorBytes = "\"author\":\"ann\",".length();
    // {"id":"big", ... } and every field "fNNNN":"value", with its comma.
    int fixed = "{\"id\":\"big\",".length() + authorBytes;
    int perField = MAX_NOTE_BYTES - fixed;
    int valueBytes = perField / fields;
    int rest = perField - valueBytes * fields;
    for (int i = 1; i <= fields; i++) {
      String name = "f" + i;
      int overhead = name.length() + 2 + 1 + 2 + 1; // quotes, colon, value quotes, comma or brace
      int length = valueBytes - overhead + (i == 1 ? rest : 0);
      note.put(name, "v".repeat(length));
    }
    return note;
  }
}
