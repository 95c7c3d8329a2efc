package io.rollingpaper.node.paper;

import io.rollingpaper.node.support.Http;
import io.rollingpaper.node.support.TestClient;
import io.rollingpaper.node.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.rollingpaper.node.support.TestClient.put;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many fresh joins at once while ops keep coming: joins that share one store read and one serialized
 * snapshot must still each get a snapshot that includes the joiner, followed by every later delta once,
 * in order, with no gap, and every presence change after it. Run against each backend by a subclass.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
abstract class ConcurrentJoinsContract {
  private static final int JOINERS = 40;
  private static final int NOTES = 5;
  private static final int WRITES = 60;

  private TestNode node;
  private String paper;

  abstract Map<String, String> backendEnv();

  @BeforeEach
  void startNode(VertxTestContext ctx) {
    Map<String, String> env = new HashMap<>(backendEnv());
    env.put("RATE_OPS_PER_SECOND", "10000");
    env.put("RATE_OPS_BURST", "10000");
    paper = "cj-" + UUID.randomUUID().toString().substring(0, 8);
    TestNode.start(env).onComplete(ctx.succeeding(started -> {
      node = started;
      ctx.completeNow();
    }));
  }

  @AfterEach
  void stopNode(VertxTestContext ctx) {
    node.stop().onComplete(ctx.succeedingThenComplete());
  }

  private Future<TestClient> join(Vertx vertx, String user) {
    return TestClient.join(vertx, node.port(), "/ws/" + paper + "?user=" + user + "&name=" + user.toUpperCase());
  }

  @Test
  void joinsAtOnceDuringWritesEachGetAConsistentSnapshotThenEveryDelta(Vertx vertx, VertxTestContext ctx) {
    List<String> users = new ArrayList<>();
    for (int i = 0; i < JOINERS; i++) {
      users.add("j" + i);
    }
    join(vertx, "writer").compose(writer -> {
      Future<JsonObject> prefilled = Future.succeededFuture();
      for (int i = 0; i < NOTES; i++) {
        String id = "n" + i;
        prefilled = prefilled.compose(ignored -> writer.apply(put(id, "text", "start")));
      }
      return prefilled.compose(ignored -> {
        // The joins race the writes: some reads land between deltas, some batches hold many joiners.
        for (int i = 0; i < WRITES; i++) {
          writer.op(put("n" + (i % NOTES), "text", "w" + i));
        }
        List<Future<TestClient>> joins = new ArrayList<>();
        users.forEach(user -> joins.add(join(vertx, user)));
        return Future.all(joins).map(all -> all.<TestClient>list());
      }).compose(joiners -> {
        // Every join's read (and presence change) is published before this op: each joiner sees all of it.
        String last = writer.op(put("n0", "text", "last"));
        return writer.ack(last).compose(ack -> {
          long lastSeq = ack.getLong("seq");
          List<Future<JsonObject>> seen = new ArrayList<>();
          joiners.forEach(joiner -> seen.add(joiner.waitFor(f -> lastSeq == f.getLong("seq", -1L))));
          return Future.all(seen).compose(all -> new Http(vertx, node.port()).get("/api/papers/" + paper))
              .map(reply -> {
                JsonArray finalNotes = reply.json().getJsonArray("notes");
                Map<Long, JsonObject> snapshotBySeq = new HashMap<>();
                for (int i = 0; i < joiners.size(); i++) {
                  check(users.get(i), joiners.get(i), users, lastSeq, finalNotes, snapshotBySeq);
                }
                return null;
              });
        });
      });
    }).onComplete(ctx.succeedingThenComplete());
  }

  private static void check(String user, TestClient joiner, List<String> users, long lastSeq, JsonArray finalNotes,
                            Map<Long, JsonObject> snapshotBySeq) {
    List<JsonObject> frames = joiner.frames();
    JsonObject snapshot = frames.get(0);
    assertThat(snapshot.getString("type")).isEqualTo("snapshot");
    // Joiners given the same seq were given the same paper.
    JsonObject same = snapshotBySeq.putIfAbsent(snapshot.getLong("seq"), snapshot);
    if (same != null) {
      assertThat(snapshot.getJsonArray("notes")).isEqualTo(same.getJsonArray("notes"));
    }
    Map<String, JsonObject> notes = new HashMap<>();
    snapshot.getJsonArray("notes").forEach(note -> notes.put(((JsonObject) note).getString("id"), (JsonObject) note));
    Set<String> present = new HashSet<>();
    snapshot.getJsonArray("presence").forEach(entry -> present.add(((JsonObject) entry).getString("user")));
    assertThat(present).as("%s's snapshot includes %s", user, user).contains(user);
    long seq = snapshot.getLong("seq");
    for (JsonObject frame : frames.subList(1, frames.size())) {
      if ("delta".equals(frame.getString("type"))) {
        assertThat(frame.getLong("seq")).as("%s: the delta after %d", user, seq).isEqualTo(seq + 1);
        seq = frame.getLong("seq");
        JsonObject note = frame.getJsonObject("op").getJsonObject("note");
        notes.put(note.getString("id"), note);
      } else if ("presence".equals(frame.getString("type"))) {
        frame.getJsonArray("joined").forEach(entry -> present.add(((JsonObject) entry).getString("user")));
      }
    }
    assertThat(seq).isEqualTo(lastSeq);
    assertThat(new HashSet<>(notes.values())).as("%s's paper", user)
        .isEqualTo(new HashSet<>(finalNotes.stream().map(note -> (JsonObject) note).toList()));
    assertThat(present).as("who %s sees", user).containsAll(users).contains("writer");
  }
}
