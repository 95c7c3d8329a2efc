package io.rollingpaper.node;

import io.rollingpaper.node.support.Http;
import io.rollingpaper.node.support.TestClient;
import io.rollingpaper.node.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.rollingpaper.node.support.TestClient.delete;
import static io.rollingpaper.node.support.TestClient.patch;
import static io.rollingpaper.node.support.TestClient.put;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every rule of PROTOCOL.md that one node shows, over real WebSockets and HTTP. Run against each
 * backend by a subclass: the in-memory one and real Redis.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
abstract class ProtocolContract {
  static final int MAX_NOTES = 5;
  static final int MAX_NOTE_BYTES = 2048;
  static final int MAX_FRAME_BYTES = 8192;
  static final int MAX_NOTE_FIELDS = 8;

  TestNode node;
  Http http;
  String paper;

  /** Environment that selects the backend under test. */
  abstract Map<String, String> backendEnv();

  @BeforeEach
  void startNode(Vertx vertx, VertxTestContext ctx) {
    Map<String, String> env = new HashMap<>(backendEnv());
    env.put("MAX_NOTES_PER_PAPER", Integer.toString(MAX_NOTES));
    env.put("MAX_NOTE_BYTES", Integer.toString(MAX_NOTE_BYTES));
    env.put("MAX_FRAME_BYTES", Integer.toString(MAX_FRAME_BYTES));
    env.put("MAX_NOTE_FIELDS", Integer.toString(MAX_NOTE_FIELDS));
    env.put("HISTORY_SIZE", "20");
    paper = "p-" + UUID.randomUUID().toString().substring(0, 8);
    TestNode.start(env).onComplete(ctx.succeeding(started -> {
      node = started;
      http = new Http(vertx, node.port());
      ctx.completeNow();
    }));
  }

  @AfterEach
  void stopNode(VertxTestContext ctx) {
    node.stop().onComplete(ctx.succeedingThenComplete());
  }

  Future<TestClient> join(Vertx vertx, String user) {
    return TestClient.join(vertx, node.port(), "/ws/" + paper + "?user=" + user + "&name=" + user.toUpperCase());
  }

  Future<TestClient> join(Vertx vertx, String user, String query) {
    return TestClient.join(vertx, node.port(), "/ws/" + paper + "?user=" + user + "&" + query);
  }

  // ---- joining ------------------------------------------------------------------------------

  @Test
  void aFreshJoinGetsTheWholePaperAsASnapshot(Vertx vertx, VertxTestContext ctx) {
    join(vertx, "alice").map(alice -> {
      JsonObject snapshot = alice.frames().get(0);
      assertThat(snapshot.getString("type")).isEqualTo("snapshot");
      assertThat(snapshot.getString("paper")).isEqualTo(paper);
      assertThat(snapshot.getString("epoch")).isNotEmpty();
      assertThat(snapshot.getLong("seq")).isZero();
      assertThat(snapshot.getString("status")).isEqualTo("open");
      assertThat(snapshot.getJsonArray("notes")).isEmpty();
      assertThat(snapshot.getJsonArray("presence"))
          .containsExactly(new JsonObject().put("user", "alice").put("name", "ALICE"));
      return null;
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aLaterJoinSeesTheNotesWrittenBefore(Vertx vertx, VertxTestContext ctx) {
    join(vertx, "alice")
        .compose(alice -> alice.apply(put("n1", "text", "hello", "x", 10)))
        .compose(ack -> join(vertx, "bob"))
        .map(bob -> {
          JsonObject snapshot = bob.frames().get(0);
          assertThat(snapshot.getLong("seq")).isEqualTo(1);
          assertThat(snapshot.getJsonArray("notes")).containsExactly(
              new JsonObject().put("id", "n1").put("text", "hello").put("x", 10).put("author", "alice"));
          return null;
        }).onComplete(ctx.succeedingThenComplete());
  }

  // ---- ops ----------------------------------------------------------------------------------

  @Test
  void everyOpIsAckedToItsSenderAndBroadcastToOthersWithTheSendersCid(Vertx vertx, VertxTestContext ctx) {
    join(vertx, "alice").compose(alice -> join(vertx, "bob").compose(bob -> {
      String cid = alice.op(put("n1", "text", "hi"));
      return alice.ack(cid).compose(ack -> {
        assertThat(ack.getLong("seq")).isEqualTo(1);
        assertThat(ack.getString("by")).isEqualTo("alice");
        assertThat(ack.getJsonObject("op")).isEqualTo(new JsonObject().put("kind", "note.put")
            .put("note", new JsonObject().put("id", "n1").put("text", "hi").put("author", "alice")));
        return bob.seq(1);
      }).map(seen -> {
        assertThat(seen.getString("cid")).isEqualTo(cid);
        assertThat(seen.getString("by")).isEqualTo("alice");
        return null;
      });
    })).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void patchMergesTopLevelFieldsAndNullRemovesAField(Vertx vertx, VertxTestContext ctx) {
    join(vertx, "alice").compose(alice -> alice.apply(put("n1", "text", "hi", "style", new JsonObject().put("a", 1).put("b", 2)))
            .compose(ack -> alice.apply(patch("n1", new JsonObject().put("text", (Object) null)
                .put("style", new JsonObject().put("c", 3)).put("color", "red"))))
            .map(ack -> {
              assertThat(ack.getJsonObject("op")).isEqualTo(patch("n1", new JsonObject().put("text", (Object) null)
                  .put("style", new JsonObject().put("c", 3)).put("color", "red")));
              return null;
            }))
        .compose(ignored -> http.get("/api/papers/" + paper))
        .map(reply -> {
          assertThat(reply.json().getJsonArray("notes")).containsExactly(new JsonObject().put("id", "n1")
              .put("style", new JsonObject().put("c", 3)).put("author", "alice").put("color", "red"));
          return null;
        }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void deleteRemovesTheNote(Vertx vertx, VertxTestContext ctx) {
    join(vertx, "alice").compose(alice -> alice.apply(put("n1")).compose(ack -> alice.apply(delete("n1"))))
        .compose(ack -> {
          assertThat(ack.getLong("seq")).isEqualTo(2);
          assertThat(ack.getJsonObject("op")).isEqualTo(delete("n1"));
          return http.get("/api/papers/" + paper);
        })
        .map(reply -> {
          assertThat(reply.json().getJsonArray("notes")).isEmpty();
          return null;
        }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void theServerOwnsAuthorAndKeepsTheCreatorOnReplace(Vertx vertx, VertxTestContext ctx) {
    join(vertx, "alice").compose(alice -> join(vertx, "bob").compose(bob ->
        alice.apply(put("n1", "author", "mallory", "text", "a"))
            .compose(ack -> {
              assertThat(ack.getJsonObject("op").getJsonObject("note").getString("author")).isEqualTo("alice");
              return bob.apply(put("n1", "text", "b"));
            })
            .map(ack -> {
              assertThat(ack.getString("by")).isEqualTo("bob");
              assertThat(ack.getJsonObject("op").getJsonObject("note").getString("author")).isEqualTo("alice");
              return null;
            }))).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void valuesComeBackExactlyAsSent(Vertx vertx, VertxTestContext ctx) {
    String raw = "{\"type\":\"op\",\"cid\":\"c1\",\"op\":{\"kind\":\"note.put\",\"note\":{\"id\":\"n1\","
        + "\"big\":123456789012345678901234567890,\"dec\":1.50,\"tags\":[],\"obj\":{},\"u\":\"h\\u00e9\\ud83d\\ude00\"}}}";
    join(vertx, "alice").compose(alice -> {
      alice.send(raw);
      return alice.ack("c1");
    }).compose(ack -> http.get("/api/papers/" + paper)).map(reply -> {
      assertThat(reply.body()).contains("\"big\":123456789012345678901234567890", "\"dec\":1.50", "\"tags\":[]",
          "\"obj\":{}");
      assertThat(reply.json().getJsonArray("notes").getJsonObject(0).getString("u")).isEqualTo("hé😀");
      return null;
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void opsOfOneConnectionApplyInTheOrderSent(Vertx vertx, VertxTestContext ctx) {
    join(vertx, "alice").compose(alice -> {
      List<String> cids = new ArrayList<>();
      cids.add(alice.op(put("n1", "v", 0)));
      for (int i = 1; i <= 50; i++) {
        cids.add(alice.op(patch("n1", new JsonObject().put("v", i))));
      }
      return alice.ack(cids.get(50)).map(last -> {
        List<JsonObject> deltas = alice.deltas();
        assertThat(deltas).hasSize(51);
        for (int i = 0; i < 51; i++) {
          assertThat(deltas.get(i).getString("cid")).isEqualTo(cids.get(i));
          assertThat(deltas.get(i).getLong("seq")).isEqualTo(i + 1);
        }
        return null;
      });
    }).compose(ignored -> http.get("/api/papers/" + paper)).map(reply -> {
      assertThat(reply.json().getJsonArray("notes").getJsonObject(0).getInteger("v")).isEqualTo(50);
      return null;
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aRefusedOpGetsAnErrorWithItsCidAndConsumesNoSeq(Vertx vertx, VertxTestContext ctx) {
    join(vertx, "alice").compose(alice -> {
      String refused = alice.op(patch("missing", new JsonObject().put("a", 1)));
      return alice.error(refused).compose(error -> {
        assertThat(error.getString("code")).isEqualTo("not_found");
        assertThat(error.getString("message")).isNotBlank();
        return alice.apply(put("n1"));
      });
    }).map(ack -> {
      assertThat(ack.getLong("seq")).isEqualTo(1);
      return null;
    }).onComplete(ctx.succeedingThenComplete());
  }

  // ---- errors -------------------------------------------------------------------------------

  private Future<JsonObject> refusal(TestClient client, String raw) {
    return client.sendAndWait(raw, f -> "error".equals(f.getString("type")));
  }

  @Test
  void malformedFramesAreBadFrame(Vertx vertx, VertxTestContext ctx) {
    join(vertx, "alice").compose(alice -> refusal(alice, "not json")
        .compose(e -> check(e, null, "bad_frame", () -> refusal(alice, "[1,2]")))
        .compose(e -> check(e, null, "bad_frame", () -> refusal(alice, "{\"op\":{}}")))
        .compose(e -> check(e, null, "bad_frame", () -> refusal(alice, "{\"type\":\"dance\"}")))
        .compose(e -> check(e, null, "bad_frame", () -> refusal(alice, "{\"type\":\"op\",\"cid\":5,\"op\":{}}")))
        .compose(e -> check(e, null, "bad_frame", () -> refusal(alice,
            "{\"type\":\"op\",\"cid\":\"" + "x".repeat(65) + "\",\"op\":{}}")))
        .compose(e -> check(e, null, "bad_frame", () -> Future.succeededFuture(e))))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void invalidOpsAreBadOpWithTheirCid(Vertx vertx, VertxTestContext ctx) {
    join(vertx, "alice").compose(alice -> refusal(alice, "{\"type\":\"op\",\"cid\":\"a\",\"op\":{\"kind\":\"note.fly\"}}")
        .compose(e -> check(e, "a", "bad_op", () -> refusal(alice, "{\"type\":\"op\",\"cid\":\"b\",\"op\":5}")))
        .compose(e -> check(e, "b", "bad_op", () -> refusal(alice,
            "{\"type\":\"op\",\"cid\":\"c\",\"op\":{\"kind\":\"note.put\",\"note\":{\"id\":\"a b\"}}}")))
        .compose(e -> check(e, "c", "bad_op", () -> refusal(alice,
            "{\"type\":\"op\",\"cid\":\"d\",\"op\":{\"kind\":\"note.put\",\"note\":{\"text\":\"no id\"}}}")))
        .compose(e -> check(e, "d", "bad_op", () -> refusal(alice,
            "{\"type\":\"op\",\"cid\":\"e\",\"op\":{\"kind\":\"note.patch\",\"id\":\"n\",\"fields\":{\"author\":\"me\"}}}")))
        .compose(e -> check(e, "e", "bad_op", () -> refusal(alice,
            "{\"type\":\"op\",\"cid\":\"f\",\"op\":{\"kind\":\"note.patch\",\"id\":\"n\",\"fields\":{\"id\":\"n\"}}}")))
        .compose(e -> check(e, "f", "bad_op", () -> refusal(alice,
            "{\"type\":\"op\",\"cid\":\"g\",\"op\":{\"kind\":\"note.delete\"}}")))
        .compose(e -> check(e, "g", "bad_op", () -> Future.succeededFuture(e))))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void oversizeNotesAndSignalsAreTooLarge(Vertx vertx, VertxTestContext ctx) {
    String bigText = "x".repeat(MAX_NOTE_BYTES);
    join(vertx, "alice").compose(alice -> {
      String cid = alice.op(put("n1", "text", bigText));
      return alice.error(cid).compose(e -> {
        assertThat(e.getString("code")).isEqualTo("too_large");
        return alice.apply(put("n2", "text", "x".repeat(MAX_NOTE_BYTES - 100)));
      }).compose(ack -> {
        // The patch alone is small, the note it would make is not.
        String grow = alice.op(patch("n2", new JsonObject().put("more", "y".repeat(200))));
        return alice.error(grow);
      }).compose(e -> {
        assertThat(e.getString("code")).isEqualTo("too_large");
        alice.send(new JsonObject().put("type", "signal").put("data", "s".repeat(1100)).encode());
        return alice.waitFor(f -> "error".equals(f.getString("type")) && f.getString("cid") == null);
      }).map(e -> {
        assertThat(e.getString("code")).isEqualTo("too_large");
        return null;
      });
    }).onComplete(ctx.succeedingThenComplete());
  }

  /** A put of a note with {@code count} fields besides its id: f1=1, f2=2, .... */
  static JsonObject putWithFields(String id, int count) {
    JsonObject op = put(id);
    for (int i = 1; i <= count; i++) {
      op.getJsonObject("note").put("f" + i, i);
    }
    return op;
  }

  @Test
  void aNoteOverTheCapOfFieldsIsTooLarge(Vertx vertx, VertxTestContext ctx) {
    int atCap = MAX_NOTE_FIELDS - 1;
    JsonObject expected = putWithFields("n1", atCap).getJsonObject("note").copy().put("author", "alice");
    join(vertx, "alice").compose(alice -> alice.error(alice.op(putWithFields("n1", atCap + 1)))
        .compose(e -> {
          assertThat(e.getString("code")).isEqualTo("too_large");
          assertThat(e.getString("message")).contains(Integer.toString(MAX_NOTE_FIELDS));
          return alice.apply(putWithFields("n1", atCap));
        })
        .compose(ack -> {
          assertThat(ack.getLong("seq")).as("the refused put took no seq").isEqualTo(1);
          JsonObject fields = new JsonObject();
          for (int i = 1; i <= MAX_NOTE_FIELDS; i++) {
            fields.put("g" + i, i);
          }
          // Too many fields in the patch alone: refused before the store.
          return alice.error(alice.op(patch("n1", fields)));
        })
        .compose(e -> {
          assertThat(e.getString("code")).isEqualTo("too_large");
          // One more field on a note at the cap: refused by the store.
          return alice.error(alice.op(patch("n1", new JsonObject().put("g", 1))));
        })
        .compose(e -> {
          assertThat(e.getString("code")).isEqualTo("too_large");
          return expectError("/api/papers/" + paper + "/ops",
              new JsonObject().put("op", putWithFields("n2", atCap + 1)).encode(), 413, "too_large");
        })
        .compose(ok -> join(vertx, "bob"))
        .map(bob -> {
          JsonObject snapshot = bob.frames().get(0);
          assertThat(snapshot.getLong("seq")).isEqualTo(1);
          assertThat(snapshot.getJsonArray("notes").getList()).hasSize(1);
          assertThat(snapshot.getJsonArray("notes").getJsonObject(0)).isEqualTo(expected);
          return null;
        })).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aFullPaperRefusesNewNotesButNotChanges(Vertx vertx, VertxTestContext ctx) {
    join(vertx, "alice").compose(alice -> {
      Future<JsonObject> chain = Future.succeededFuture();
      for (int i = 0; i < MAX_NOTES; i++) {
        String id = "n" + i;
        chain = chain.compose(ignored -> alice.apply(put(id)));
      }
      return chain.compose(ignored -> alice.error(alice.op(put("one-too-many"))))
          .compose(e -> {
            assertThat(e.getString("code")).isEqualTo("paper_full");
            return alice.apply(put("n0", "text", "replaced"));
          });
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void tenBadFramesInAMinuteCloseTheConnectionWith1008(Vertx vertx, VertxTestContext ctx) {
    join(vertx, "alice").compose(alice -> {
      for (int i = 0; i < 10; i++) {
        alice.send("garbage " + i);
      }
      return alice.closed();
    }).map(code -> {
      assertThat(code).isEqualTo((short) 1008);
      return null;
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aFrameOverTheSizeLimitClosesWith1009(Vertx vertx, VertxTestContext ctx) {
    join(vertx, "alice").compose(alice -> {
      alice.send(new JsonObject().put("type", "signal").put("data", "z".repeat(MAX_FRAME_BYTES + 10)).encode());
      return alice.closed();
    }).map(code -> {
      assertThat(code).isEqualTo((short) 1009);
      return null;
    }).onComplete(ctx.succeedingThenComplete());
  }

  private static Future<JsonObject> check(JsonObject error, String cid, String code,
                                          java.util.function.Supplier<Future<JsonObject>> next) {
    assertThat(error.getString("type")).isEqualTo("error");
    assertThat(error.getString("cid")).isEqualTo(cid);
    assertThat(error.getString("code")).isEqualTo(code);
    return next.get();
  }

  // ---- handshake ----------------------------------------------------------------------------

  @Test
  void theHandshakeIsCheckedBeforeTheUpgrade(Vertx vertx, VertxTestContext ctx) {
    Map<String, String> upgrade = Map.of("Upgrade", "websocket", "Connection", "Upgrade",
        "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version", "13");
    http.get("/ws/" + paper).compose(r -> {
      assertThat(r.status()).as("no upgrade").isEqualTo(426);
      return http.send(HttpMethod.GET, "/ws/bad!id", null, upgrade);
    }).compose(r -> {
      assertThat(r.status()).as("bad paper id").isEqualTo(400);
      return http.send(HttpMethod.GET, "/ws/" + "p".repeat(65), null, upgrade);
    }).compose(r -> {
      assertThat(r.status()).as("paper id too long").isEqualTo(400);
      return http.send(HttpMethod.GET, "/ws/" + paper + "?since=3", null, upgrade);
    }).compose(r -> {
      assertThat(r.status()).as("since without epoch").isEqualTo(400);
      return http.send(HttpMethod.GET, "/ws/" + paper + "?since=-1&epoch=e", null, upgrade);
    }).compose(r -> {
      assertThat(r.status()).as("negative since").isEqualTo(400);
      return http.send(HttpMethod.GET, "/ws/" + paper + "?since=9007199254740992&epoch=e", null, upgrade);
    }).compose(r -> {
      assertThat(r.status()).as("since over 2^53-1").isEqualTo(400);
      return http.send(HttpMethod.GET, "/ws/" + paper + "?since=1.5&epoch=e", null, upgrade);
    }).map(r -> {
      assertThat(r.status()).as("since not whole").isEqualTo(400);
      return null;
    }).onComplete(ctx.succeedingThenComplete());
  }

  // ---- resume -------------------------------------------------------------------------------

  private Future<String> writeNotes(TestClient client, int count) {
    Future<JsonObject> chain = Future.succeededFuture();
    for (int i = 0; i < count; i++) {
      String id = "n" + (i % MAX_NOTES);
      int value = i;
      chain = chain.compose(ignored -> client.apply(put(id, "v", value)));
    }
    return chain.map(last -> client.frames().get(0).getString("epoch"));
  }

  @Test
  void aResumeInTheSameEpochGetsResumedAndTheMissedDeltas(Vertx vertx, VertxTestContext ctx) {
    join(vertx, "alice").compose(alice -> writeNotes(alice, 5).compose(epoch ->
        writeNotes(alice, 3).compose(ignored -> join(vertx, "bob", "since=5&epoch=" + epoch)).map(bob -> {
          JsonObject resumed = bob.frames().get(0);
          assertThat(resumed.getString("type")).isEqualTo("resumed");
          assertThat(resumed.getString("epoch")).isEqualTo(epoch);
          assertThat(resumed.getLong("from")).isEqualTo(5);
          assertThat(resumed.getLong("seq")).isEqualTo(8);
          assertThat(resumed.getJsonArray("presence")).extracting(p -> ((JsonObject) p).getString("user"))
              .contains("alice", "bob");
          return bob;
        }).compose(bob -> bob.seq(8).map(last -> {
          assertThat(bob.deltas()).extracting(d -> d.getLong("seq")).containsExactly(6L, 7L, 8L);
          return null;
        })))).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aResumeAtTheCurrentSeqGetsResumedWithNoDeltasAndThenLiveOnes(Vertx vertx, VertxTestContext ctx) {
    join(vertx, "alice").compose(alice -> writeNotes(alice, 2).compose(epoch ->
        join(vertx, "bob", "since=2&epoch=" + epoch).compose(bob -> {
          assertThat(bob.frames().get(0).getString("type")).isEqualTo("resumed");
          assertThat(bob.frames().get(0).getLong("seq")).isEqualTo(2);
          return alice.apply(put("late")).compose(ack -> bob.seq(3)).map(d -> {
            assertThat(bob.deltas()).extracting(f -> f.getLong("seq")).containsExactly(3L);
            return null;
          });
        }))).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void sinceZeroInTheEpochResumesFromTheStart(Vertx vertx, VertxTestContext ctx) {
    join(vertx, "alice").compose(alice -> writeNotes(alice, 3).compose(epoch ->
        join(vertx, "bob", "since=0&epoch=" + epoch).compose(bob -> bob.seq(3).map(last -> {
          assertThat(bob.frames().get(0).getString("type")).isEqualTo("resumed");
          assertThat(bob.deltas()).extracting(f -> f.getLong("seq")).containsExactly(1L, 2L, 3L);
          return null;
        })))).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void anotherEpochAnEmptyEpochOrASinceBeyondTheSeqGetASnapshot(Vertx vertx, VertxTestContext ctx) {
    join(vertx, "alice").compose(alice -> writeNotes(alice, 2).compose(epoch ->
        join(vertx, "b1", "since=1&epoch=someOtherEpoch").compose(b1 -> {
          assertThat(b1.frames().get(0).getString("type")).isEqualTo("snapshot");
          assertThat(b1.frames().get(0).getLong("seq")).isEqualTo(2);
          return join(vertx, "b2", "since=1&epoch=");
        }).compose(b2 -> {
          assertThat(b2.frames().get(0).getString("type")).isEqualTo("snapshot");
          return join(vertx, "b3", "since=99&epoch=" + epoch);
        }).compose(b3 -> {
          assertThat(b3.frames().get(0).getString("type")).isEqualTo("snapshot");
          return join(vertx, "b4", "epoch=" + epoch);
        }).map(b4 -> {
          assertThat(b4.frames().get(0).getString("type")).as("epoch without since is ignored").isEqualTo("snapshot");
          return null;
        }))).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aResumeOlderThanTheHeldHistoryGetsASnapshot(Vertx vertx, VertxTestContext ctx) {
    // HISTORY_SIZE is 20; Redis trims its stream approximately (in blocks of 100), so go well past both.
    join(vertx, "alice").compose(alice -> writeNotes(alice, 250).compose(epoch ->
        join(vertx, "bob", "since=1&epoch=" + epoch).map(bob -> {
          assertThat(bob.frames().get(0).getString("type")).isEqualTo("snapshot");
          assertThat(bob.frames().get(0).getLong("seq")).isEqualTo(250);
          return null;
        }))).onComplete(ctx.succeedingThenComplete());
  }

  // ---- a join under writes --------------------------------------------------------------------

  @Test
  void aJoinDuringWritesSeesEverySeqAfterItsSnapshotOnceInOrder(Vertx vertx, VertxTestContext ctx) {
    int total = 300;
    join(vertx, "alice").compose(alice -> {
      for (int i = 0; i < 100; i++) {
        alice.op(put("n" + (i % MAX_NOTES), "v", i));
      }
      Future<TestClient> carolJoins = join(vertx, "carol");
      for (int i = 100; i < total; i++) {
        alice.op(put("n" + (i % MAX_NOTES), "v", i));
      }
      return carolJoins.compose(carol -> {
        long from = carol.frames().get(0).getLong("seq");
        Future<?> caughtUp = from >= total ? Future.succeededFuture() : carol.seq(total);
        return caughtUp.map(last -> {
          List<Long> seqs = carol.deltas().stream().map(d -> d.getLong("seq")).toList();
          assertThat(seqs).hasSize((int) (total - from));
          for (int i = 0; i < seqs.size(); i++) {
            assertThat(seqs.get(i)).isEqualTo(from + 1 + i);
          }
          return null;
        });
      });
    }).onComplete(ctx.succeedingThenComplete());
  }

  // ---- signals and presence -----------------------------------------------------------------

  @Test
  void aSignalReachesEveryoneElseButNotItsSender(Vertx vertx, VertxTestContext ctx) {
    join(vertx, "alice").compose(alice -> join(vertx, "bob").compose(bob -> {
      alice.send(new JsonObject().put("type", "signal").put("data", new JsonObject().put("cursor", 1)).encode());
      return bob.waitForType("signal").compose(signal -> {
        assertThat(signal.getString("paper")).isEqualTo(paper);
        assertThat(signal.getString("by")).isEqualTo("alice");
        assertThat(signal.getJsonObject("data")).isEqualTo(new JsonObject().put("cursor", 1));
        bob.send(new JsonObject().put("type", "signal").put("data", "after").encode());
        return alice.waitForType("signal");
      }).map(signal -> {
        // Alice's own signal was published before Bob's; had it come back to her, it would be first.
        assertThat(signal.getString("data")).isEqualTo("after");
        return null;
      });
    })).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void presenceCountsAUserOnceAndReportsTheLeaveWhenTheLastSessionCloses(Vertx vertx, VertxTestContext ctx) {
    join(vertx, "alice").compose(alice -> join(vertx, "bob").compose(bob1 -> alice.waitFor(joined("bob"))
        .compose(p -> join(vertx, "bob"))
        .compose(bob2 -> join(vertx, "carol").compose(carol -> alice.waitFor(joined("carol"))
            .compose(p -> {
              assertThat(alice.frames().stream().filter(joined("bob")).count()).as("bob joined once").isEqualTo(1);
              return bob1.close();
            })
            .compose(closed -> carol.close())
            .compose(closed -> alice.waitFor(left("carol")))
            .compose(p -> {
              assertThat(alice.frames().stream().filter(left("bob")).count()).as("bob still has a session").isZero();
              return bob2.close();
            })
            .compose(closed -> alice.waitFor(left("bob")))))))
        .onComplete(ctx.succeedingThenComplete());
  }

  static java.util.function.Predicate<JsonObject> joined(String user) {
    return f -> "presence".equals(f.getString("type")) && f.getJsonArray("joined").stream()
        .anyMatch(j -> user.equals(((JsonObject) j).getString("user")));
  }

  static java.util.function.Predicate<JsonObject> left(String user) {
    return f -> "presence".equals(f.getString("type")) && f.getJsonArray("left").contains(user);
  }

  // ---- completion and deletion --------------------------------------------------------------

  @Test
  void completingAPaperTellsEverySessionAndRefusesLaterOpsAndSignals(Vertx vertx, VertxTestContext ctx) {
    join(vertx, "alice").compose(alice -> alice.apply(put("n1")).compose(ack ->
        http.post("/api/papers/" + paper + "/complete", "")).compose(reply -> {
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.json().getString("status")).isEqualTo("completed");
      assertThat(reply.json().getLong("seq")).isEqualTo(1);
      assertThat(reply.json().containsKey("type")).isFalse();
      return alice.waitForType("completed");
    }).compose(completed -> {
      assertThat(completed.getLong("seq")).isEqualTo(1);
      return alice.error(alice.op(put("n2")));
    }).compose(e -> {
      assertThat(e.getString("code")).isEqualTo("paper_completed");
      alice.send("{\"type\":\"signal\",\"data\":1}");
      return alice.waitFor(f -> "error".equals(f.getString("type")) && "paper_completed".equals(f.getString("code"))
          && f.getString("cid") == null);
    }).compose(e -> http.post("/api/papers/" + paper + "/ops", put("n3").encode() .replace("{\"kind\"", "{\"op\":{\"kind\"") + "}"))
        .compose(reply -> {
          assertThat(reply.status()).isEqualTo(409);
          assertThat(reply.json().getString("code")).isEqualTo("paper_completed");
          return join(vertx, "late");
        }).map(late -> {
          assertThat(late.frames().get(0).getString("status")).isEqualTo("completed");
          assertThat(late.frames().stream().filter(f -> "completed".equals(f.getString("type")))).isEmpty();
          return null;
        })).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void deletingAPaperClosesItsSessionsNormallyAndOnlyPutStartsANewEpoch(Vertx vertx, VertxTestContext ctx) {
    join(vertx, "alice").compose(alice -> alice.apply(put("n1")).compose(ack -> http.delete("/api/papers/" + paper))
        .compose(reply -> {
          assertThat(reply.status()).isEqualTo(204);
          return alice.closed();
        }).compose(code -> {
          assertThat(code).isEqualTo((short) 1000);
          return http.get("/api/papers/" + paper);
        }).compose(reply -> {
          assertThat(reply.status()).isEqualTo(404);
          assertThat(reply.json().getString("code")).isEqualTo("not_found");
          return http.delete("/api/papers/" + paper);
        }).compose(reply -> {
          assertThat(reply.status()).isEqualTo(404);
          return http.post("/api/papers/" + paper + "/complete", "");
        }).compose(reply -> {
          assertThat(reply.status()).isEqualTo(404);
          return refusedJoin(vertx, "bob");
        }).compose(refused -> http.send(HttpMethod.PUT, "/api/papers/" + paper, "", Map.of()))
        .compose(created -> {
          assertThat(created.status()).isEqualTo(201);
          return join(vertx, "bob");
        }).map(bob -> {
          JsonObject snapshot = bob.frames().get(0);
          assertThat(snapshot.getString("epoch")).isNotEqualTo(alice.frames().get(0).getString("epoch"));
          assertThat(snapshot.getLong("seq")).isZero();
          assertThat(snapshot.getJsonArray("notes")).isEmpty();
          return null;
        })).onComplete(ctx.succeedingThenComplete());
  }

  /** A join refused after the upgrade: one {@code not_found} error frame without cid, then close 4404. */
  Future<Void> refusedJoin(Vertx vertx, String user) {
    return TestClient.connect(vertx, node.port(), "/ws/" + paper + "?user=" + user).compose(client ->
        client.closed().map(code -> {
          assertThat(code).isEqualTo((short) 4404);
          assertThat(client.frames()).hasSize(1);
          assertThat(client.frames().get(0).getString("type")).isEqualTo("error");
          assertThat(client.frames().get(0).getString("code")).isEqualTo("not_found");
          assertThat(client.frames().get(0).getValue("cid")).isNull();
          return null;
        }));
  }

  @Test
  void aDeletedPaperStaysDeletedWithAHundredOpsInFlight(Vertx vertx, VertxTestContext ctx) {
    join(vertx, "alice").compose(alice -> alice.apply(put("n1", "v", -1)).compose(first -> {
      List<String> cids = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        cids.add(alice.op(patch("n1", new JsonObject().put("v", i))));
      }
      return http.delete("/api/papers/" + paper).compose(deleted -> {
        assertThat(deleted.status()).isEqualTo(204);
        return alice.closed();
      }).compose(code -> {
        assertThat(code).isEqualTo((short) 1000);
        long acked = 0;
        for (String cid : cids) {
          List<JsonObject> answers = alice.frames().stream().filter(f -> cid.equals(f.getString("cid"))).toList();
          assertThat(answers).as("op " + cid + " is answered once").hasSize(1);
          if ("delta".equals(answers.get(0).getString("type"))) {
            acked++;
            assertThat(answers.get(0).getLong("seq")).as("acks come before every refusal").isEqualTo(1 + acked);
          } else {
            assertThat(answers.get(0).getString("code")).isEqualTo("not_found");
          }
        }
        return http.get("/api/papers/" + paper);
      }).compose(read -> {
        assertThat(read.status()).isEqualTo(404);
        return http.post("/api/papers/" + paper + "/ops", new JsonObject().put("op", put("n2")).encode());
      }).compose(op -> {
        assertThat(op.status()).as("an HTTP op on a deleted paper").isEqualTo(404);
        return refusedJoin(vertx, "alice");
      }).compose(refused -> http.get("/api/papers/" + paper)).compose(stillGone -> {
        assertThat(stillGone.status()).as("nothing brought it back").isEqualTo(404);
        return http.send(HttpMethod.PUT, "/api/papers/" + paper, "", Map.of());
      }).compose(created -> {
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().getLong("seq")).isZero();
        assertThat(created.json().getJsonArray("notes")).isEmpty();
        assertThat(created.json().getString("epoch")).isNotEqualTo(alice.frames().get(0).getString("epoch"));
        return http.send(HttpMethod.PUT, "/api/papers/" + paper, "", Map.of());
      }).map(again -> {
        assertThat(again.status()).as("PUT of a paper that exists").isEqualTo(409);
        return null;
      });
    })).onComplete(ctx.succeedingThenComplete());
  }

  // ---- the backend's HTTP API ---------------------------------------------------------------

  @Test
  void theHttpApiAppliesOpsLikeAClientAndMapsErrorsToStatuses(Vertx vertx, VertxTestContext ctx) {
    String ops = "/api/papers/" + paper + "/ops";
    join(vertx, "alice").compose(alice -> http.post(ops, new JsonObject().put("op", put("n1", "t", 1)).encode())
        .compose(reply -> {
          assertThat(reply.status()).isEqualTo(200);
          assertThat(reply.json()).isEqualTo(new JsonObject().put("seq", 1));
          return alice.seq(1);
        }).compose(delta -> {
          assertThat(delta.getString("by")).isEqualTo("backend");
          assertThat(delta.getValue("cid")).isNull();
          return http.post(ops, new JsonObject().put("op", patch("n1", new JsonObject().put("t", 2))).put("by", "svc").encode());
        }).compose(reply -> {
          assertThat(reply.json().getLong("seq")).isEqualTo(2);
          return alice.seq(2);
        }).compose(delta -> {
          assertThat(delta.getString("by")).isEqualTo("svc");
          return expectError(ops, "{nope", 400, "bad_frame");
        })
        .compose(ok -> expectError(ops, new JsonObject().put("op", new JsonObject().put("kind", "x")).encode(), 400, "bad_op"))
        .compose(ok -> expectError(ops, new JsonObject().put("op", delete("zz")).encode(), 404, "not_found"))
        .compose(ok -> expectError(ops, new JsonObject().put("op", put("big", "t", "x".repeat(MAX_NOTE_BYTES))).encode(),
            413, "too_large"))
        .compose(ok -> http.get("/api/papers/nobody-" + paper))
        .map(reply -> {
          assertThat(reply.status()).isEqualTo(404);
          return null;
        })).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void theHttpApiRefusesANewNoteOnAFullPaper(Vertx vertx, VertxTestContext ctx) {
    String ops = "/api/papers/" + paper + "/ops";
    Future<Http.Reply> chain = Future.succeededFuture();
    for (int i = 0; i < MAX_NOTES; i++) {
      String body = new JsonObject().put("op", put("n" + i)).encode();
      chain = chain.compose(ignored -> http.post(ops, body));
    }
    chain.compose(ignored -> expectError(ops, new JsonObject().put("op", put("extra")).encode(), 409, "paper_full"))
        .onComplete(ctx.succeedingThenComplete());
  }

  private Future<Void> expectError(String uri, String body, int status, String code) {
    return http.post(uri, body).map(reply -> {
      assertThat(reply.status()).as(body).isEqualTo(status);
      assertThat(reply.json().getString("code")).isEqualTo(code);
      assertThat(reply.json().getString("message")).isNotBlank();
      return null;
    });
  }

  @Test
  void healthAndMetricsAnswer(Vertx vertx, VertxTestContext ctx) {
    join(vertx, "alice").compose(alice -> alice.apply(put("n1")))
        .compose(ack -> http.get("/health/live"))
        .compose(live -> {
          assertThat(live.status()).isEqualTo(200);
          return http.get("/health/ready");
        })
        .compose(ready -> {
          assertThat(ready.status()).isEqualTo(200);
          return http.get("/metrics");
        })
        .map(metrics -> {
          assertThat(metrics.status()).isEqualTo(200);
          assertThat(metrics.body()).contains("rpl_connections 1.0", "rpl_papers 1.0", "rpl_ops_accepted_total 1.0",
              "rpl_deltas_delivered_total", "rpl_store_latency_seconds_bucket", "rpl_ops_refused_total{code=\"not_found\"}");
          return null;
        }).onComplete(ctx.succeedingThenComplete());
  }

  static JsonArray seqs(TestClient client) {
    return new JsonArray(client.deltas().stream().map(d -> d.getLong("seq")).toList());
  }
}
