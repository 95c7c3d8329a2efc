package io.rollingpaper.node.badinput;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import io.rollingpaper.node.badinput.Corpus.Case;
import io.rollingpaper.node.badinput.Corpus.Outcome;
import io.rollingpaper.node.badinput.Corpus.Payload;
import io.rollingpaper.node.badinput.Corpus.PolicyCase;
import io.rollingpaper.node.support.Http;
import io.rollingpaper.node.support.RedisServer;
import io.rollingpaper.node.support.TestClient;
import io.rollingpaper.node.support.TestNode;
import io.rollingpaper.protocol.FrameCodec;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static io.rollingpaper.node.support.TestClient.patch;
import static io.rollingpaper.node.support.TestClient.put;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bad-input suite: a generated corpus of malformed frames ({@link Corpus}) sent to a live cluster of
 * two nodes on one real Redis. Each case must get the outcome PROTOCOL.md documents (an {@code error}
 * with the right code and cid, or the right close code); afterwards the paper is exactly as it was, the
 * nodes are ready, hold no session, logged no error, and a new client can still join and write.
 *
 * <p>A connection is closed with 1008 after ten bad frames in a minute, so the corpus is sent in
 * batches of at most nine cases per connection; the 1008 rule has cases of its own. Every mismatch
 * is collected and reported together, one line per case.
 */
@ExtendWith(VertxExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class BadInputTest {
  private static final Logger LOG = LoggerFactory.getLogger(BadInputTest.class);
  static final int MAX_FRAME_BYTES = 24 * 1024;
  static final int MAX_NOTE_BYTES = 2048;
  static final int MAX_SIGNAL_BYTES = 1024;
  static final int BAD_FRAME_LIMIT = 10;
  /** Cases per connection: below the 1008 limit. */
  static final int BATCH = BAD_FRAME_LIMIT - 1;
  /**
   * The longest a case may take to be answered. Only a case that gets no answer waits this long; on a
   * 2-core machine busy with JIT and GC, a 4 MB deflated frame can take seconds to be inflated and refused.
   */
  static final long ANSWER_MS = 10_000;
  /**
   * How long after the pong to a ping sent behind a case an answer may still come: the store's refusals and
   * relayed signals go through Redis, and the pong is written by Vert.x as the ping is read, which can be
   * before the node's handler has taken the frame in front of it (a large message still being assembled).
   */
  static final long GRACE_MS = 2_000;

  static Vertx vertx;
  static RedisServer redis;
  static LogCapture logs;
  static final List<TestNode> nodes = new ArrayList<>();
  static final List<Http> http = new ArrayList<>();
  /** One watcher per node, on the paper through the whole corpus: it sees relayed signals and must see no delta. */
  static final List<Probe> watchers = new ArrayList<>();
  static final String paper = "bad-" + UUID.randomUUID().toString().substring(0, 8);
  static final String scratch = "odd-" + UUID.randomUUID().toString().substring(0, 8);
  static JsonObject before;
  static final AtomicInteger users = new AtomicInteger();
  /** Which cases each probe user sent, to name the culprit of a leak. */
  static final Map<String, List<String>> casesOf = new java.util.concurrent.ConcurrentHashMap<>();
  /** Every deviation found, across the tests, for the summary at the end. */
  static final Map<String, List<String>> deviations = Collections.synchronizedMap(new LinkedHashMap<>());

  @BeforeAll
  static void startCluster(Vertx v, VertxTestContext ctx) {
    vertx = v;
    logs = new LogCapture();
    redis = RedisServer.start();
    Map<String, String> env = Map.of("REDIS_URL", redis.url(),
        "MAX_FRAME_BYTES", Integer.toString(MAX_FRAME_BYTES),
        "MAX_NOTE_BYTES", Integer.toString(MAX_NOTE_BYTES),
        "MAX_SIGNAL_BYTES", Integer.toString(MAX_SIGNAL_BYTES),
        "BAD_FRAME_LIMIT", Integer.toString(BAD_FRAME_LIMIT),
        // Long enough that an entry a node forgot to remove outlives the check for it.
        "PRESENCE_TTL", "10s");
    TestNode.start(env).compose(a -> TestNode.start(env).map(b -> List.of(a, b)))
        .compose(started -> {
          nodes.addAll(started);
          started.forEach(node -> http.add(new Http(vertx, node.port())));
          return seed();
        })
        .compose(seeded -> Future.all(Probe.join(vertx, nodes.get(0).port(), paper, "watcher-a", false),
            Probe.join(vertx, nodes.get(1).port(), paper, "watcher-b", false)))
        .onComplete(ctx.succeeding(all -> {
          watchers.add(all.resultAt(0));
          watchers.add(all.resultAt(1));
          ctx.completeNow();
        }));
  }

  /** A good client writes a few notes (one patched), then leaves; the state both nodes answer is "before". */
  private static Future<Void> seed() {
    return TestClient.join(vertx, nodes.get(0).port(), "/ws/" + paper + "?user=seeder").compose(seeder -> {
      Future<JsonObject> chain = Future.succeededFuture();
      for (String id : Corpus.SEEDED) {
        chain = chain.compose(ignored -> seeder.apply(put(id, "text", "hello " + id, "x", 10, "big",
            new BigDecimal("123456789012345678901234567890.000000000000000000001"))));
      }
      return chain.compose(ignored -> seeder.apply(patch("b", new JsonObject().put("color", "red").put("x", (Object) null))))
          .compose(ignored -> seeder.close());
    }).compose(closed -> Future.all(http.get(0).get("/api/papers/" + paper), http.get(1).get("/api/papers/" + paper)))
        .map(all -> {
          Http.Reply a = all.resultAt(0);
          Http.Reply b = all.resultAt(1);
          assertThat(a.status()).isEqualTo(200);
          before = state(a.body());
          assertThat(state(b.body())).isEqualTo(before);
          assertThat(before.getLong("seq")).isEqualTo(Corpus.SEEDED.size() + 1L);
          LOG.info("bad-input: seeded paper {} at seq {} with {} notes", paper, before.getLong("seq"),
              before.getJsonArray("notes").size());
          return null;
        });
  }

  /** The paper's state without presence (who is connected is not state), notes in id order, numbers exact. */
  static JsonObject state(String body) {
    JsonObject snapshot = new JsonObject(body);
    List<String> notes = new ArrayList<>();
    try {
      JsonNode exact = FrameCodec.mapper().readTree(body);
      exact.get("notes").forEach(note -> notes.add(FrameCodec.write(note)));
    } catch (Exception e) {
      throw new AssertionError("the snapshot is not JSON: " + body, e);
    }
    Collections.sort(notes);
    return new JsonObject().put("paper", snapshot.getString("paper")).put("epoch", snapshot.getString("epoch"))
        .put("seq", snapshot.getLong("seq")).put("status", snapshot.getString("status"))
        .put("notes", new JsonArray(new ArrayList<>(notes)));
  }

  @AfterAll
  static void stopCluster(VertxTestContext ctx) {
    deviations.forEach((test, lines) -> lines.forEach(line -> LOG.warn("bad-input deviation [{}] {}", test, line)));
    Future.all(watchers.stream().map(Probe::close).toList()).otherwiseEmpty()
        .compose(ignored -> Future.all(nodes.stream().map(TestNode::stop).toList()))
        .onComplete(done -> {
          redis.close();
          logs.close();
          ctx.completeNow();
        });
  }

  // ---- the corpus over WebSockets --------------------------------------------------------------

  @Test
  @Order(1)
  void everyMalformedFrameGetsItsDocumentedErrorOrClose(VertxTestContext ctx) {
    List<Case> corpus = Corpus.generate(MAX_FRAME_BYTES, MAX_NOTE_BYTES, MAX_SIGNAL_BYTES);
    List<Case> batched = corpus.stream().filter(c -> !alone(c)).toList();
    List<Case> alone = corpus.stream().filter(BadInputTest::alone).toList();
    Map<String, Long> counts = corpus.stream().collect(Collectors.groupingBy(Case::category, TreeMap::new,
        Collectors.counting()));
    LOG.info("bad-input corpus (seed {}): {} cases: {}", Long.toHexString(Corpus.SEED), corpus.size(), counts);
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    long start = System.nanoTime();
    runBatches(batched, 0, failures)
        .compose(ignored -> sequentially(alone, c -> runAlone(c, failures)))
        .onComplete(ctx.succeeding(ignored -> ctx.verify(() -> {
          LOG.info("bad-input corpus: {} cases in {} ms, {} deviations", corpus.size(),
              (System.nanoTime() - start) / 1_000_000, failures.size());
          report("frames", failures);
          assertThat(failures).as("cases whose outcome differs from PROTOCOL.md").isEmpty();
          ctx.completeNow();
        })));
  }

  /**
   * Cases that close the connection, need one of their own (permessage-deflate), or are fragmented
   * (a fragmented message that breaks the connection's reassembly must not take other cases with it).
   */
  private static boolean alone(Case c) {
    return c.closes() || c.payload() instanceof Payload.Compressed || c.payload() instanceof Payload.Fragments;
  }

  @Test
  @Order(2)
  void tenBadFramesInAMinuteCloseWith1008AndOtherRefusalsDoNotCount(VertxTestContext ctx) {
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    sequentially(Corpus.policy(), c -> runPolicy(c, failures)).onComplete(ctx.succeeding(ignored -> ctx.verify(() -> {
      report("policy", failures);
      assertThat(failures).isEmpty();
      ctx.completeNow();
    })));
  }

  @Test
  @Order(3)
  void theHttpApiRefusesTheSameOpsWithTheirStatus(VertxTestContext ctx) {
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    List<HttpCase> cases = new ArrayList<>();
    String api = "/api/papers/" + paper + "/ops";
    for (Case c : Corpus.generate(MAX_FRAME_BYTES, MAX_NOTE_BYTES, MAX_SIGNAL_BYTES)) {
      if (c.opJson() != null) {
        cases.add(new HttpCase(c.category() + "/" + c.name(), HttpMethod.POST, api, "{\"op\":" + c.opJson() + "}",
            c.opCodes()));
      }
    }
    String del = Corpus.deleteMissing();
    cases.add(new HttpCase("body/not-json", HttpMethod.POST, api, "not json", List.of("bad_frame")));
    cases.add(new HttpCase("body/empty", HttpMethod.POST, api, "", List.of("bad_frame")));
    cases.add(new HttpCase("body/array", HttpMethod.POST, api, "[]", List.of("bad_frame")));
    cases.add(new HttpCase("body/null", HttpMethod.POST, api, "null", List.of("bad_frame")));
    cases.add(new HttpCase("body/trailing-garbage", HttpMethod.POST, api, "{\"op\":" + del + "} x", List.of("bad_frame")));
    cases.add(new HttpCase("body/deep-nesting", HttpMethod.POST, api, "[".repeat(10_000) + "]".repeat(10_000),
        List.of("bad_frame")));
    cases.add(new HttpCase("body/no-op", HttpMethod.POST, api, "{\"by\":\"x\"}", List.of("bad_op")));
    cases.add(new HttpCase("body/by-number", HttpMethod.POST, api, "{\"op\":" + del + ",\"by\":5}", List.of("bad_op")));
    cases.add(new HttpCase("body/by-empty", HttpMethod.POST, api, "{\"op\":" + del + ",\"by\":\"\"}", List.of("bad_op")));
    cases.add(new HttpCase("body/by-65", HttpMethod.POST, api, "{\"op\":" + del + ",\"by\":\"" + "b".repeat(65) + "\"}",
        List.of("bad_op")));
    cases.add(new HttpCase("body/by-huge-number", HttpMethod.POST, api, "{\"op\":" + del + ",\"by\":1e99999999999}",
        List.of("bad_frame", "bad_op")));
    cases.add(new HttpCase("body/over-the-frame-limit", HttpMethod.POST, api,
        "{\"op\":" + Corpus.put("{\"id\":\"a\",\"t\":\"" + "z".repeat(MAX_FRAME_BYTES) + "\"}") + "}", List.of("too_large")));
    for (String odd : List.of("a%20b", "%00", "x".repeat(65), "..%2Fx", "%C3%BC", "a.b", "%F0%9F%98%80", "a%2Fb")) {
      cases.add(new HttpCase("paper-id/GET " + odd, HttpMethod.GET, "/api/papers/" + odd, null, List.of("bad_frame")));
      cases.add(new HttpCase("paper-id/POST ops " + odd, HttpMethod.POST, "/api/papers/" + odd + "/ops",
          "{\"op\":" + Corpus.put("{\"id\":\"a\"}") + "}", List.of("bad_frame")));
      cases.add(new HttpCase("paper-id/DELETE " + odd, HttpMethod.DELETE, "/api/papers/" + odd, null, List.of("bad_frame")));
      cases.add(new HttpCase("paper-id/complete " + odd, HttpMethod.POST, "/api/papers/" + odd + "/complete", "",
          List.of("bad_frame")));
    }
    AtomicInteger n = new AtomicInteger();
    sequentially(cases, c -> {
      Http node = http.get(n.getAndIncrement() % 2);
      return node.send(c.method, c.uri, c.body, Map.of()).<Void>map(reply -> {
        check(c, reply, failures);
        return null;
      }).recover(error -> {
        failures.add(c.name + ": no answer (" + error + ")");
        return Future.succeededFuture();
      });
    }).onComplete(ctx.succeeding(ignored -> ctx.verify(() -> {
      LOG.info("bad-input HTTP: {} cases, {} deviations", cases.size(), failures.size());
      report("http", failures);
      assertThat(failures).isEmpty();
      ctx.completeNow();
    })));
  }

  private record HttpCase(String name, HttpMethod method, String uri, String body, List<String> codes) {
  }

  private static void check(HttpCase c, Http.Reply reply, List<String> failures) {
    Map<String, Integer> statuses = Map.of("bad_frame", 400, "bad_op", 400, "too_large", 413, "not_found", 404);
    String code = null;
    try {
      code = new JsonObject(reply.body()).getString("code");
    } catch (RuntimeException notJson) {
      // reported below
    }
    boolean ok = code != null && c.codes.contains(code) && statuses.get(code) == reply.status();
    if (!ok) {
      failures.add(c.name + ": " + c.method + " " + Corpus.abbreviate(c.uri, 80) + " body="
          + (c.body == null ? "none" : Corpus.abbreviate(c.body, 120)) + " → expected " + c.codes.stream()
          .map(x -> statuses.get(x) + " " + x).toList() + ", got " + reply.status() + " " + Corpus.abbreviate(reply.body(), 120));
    }
  }

  @Test
  @Order(4)
  void theHandshakeRefusesOddIdsAndNumbersBeforeTheUpgrade(VertxTestContext ctx) {
    Map<String, String> upgrade = Map.of("Upgrade", "websocket", "Connection", "Upgrade",
        "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version", "13");
    Map<String, Integer> cases = new LinkedHashMap<>();
    for (String odd : List.of("a%20b", "%00", "a%00b", "x".repeat(65), "..%2Fx", "%C3%BC", "a.b", "%F0%9F%98%80",
        "a%2Fb", "a:b", "%7Bx%7D", "%E2%80%AEab", "a%0Ab", "%FF")) {
      cases.put("/ws/" + odd + "?user=h", 400);
    }
    String p = "/ws/" + paper + "?user=h";
    for (String since : List.of("-1", "1e999999", "abc", "99999999999999999999", "9007199254740992", "", "0x10", "1.0",
        "%201", "1%00", "%EF%BC%91", "00000000000000001")) {
      cases.put(p + "&since=" + since + "&epoch=e", 400);
    }
    cases.put(p + "&since=1", 400);
    for (String user : List.of("a%20b", "%00", "x".repeat(65), "..%2F", "%C3%BC", "a.b", "%FF")) {
      cases.put("/ws/" + paper + "?user=" + user, 400);
    }
    cases.put("/ws/" + paper + "?user=h&name=" + "n".repeat(101), 400);
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger n = new AtomicInteger();
    sequentially(new ArrayList<>(cases.entrySet()), e -> http.get(n.getAndIncrement() % 2)
        .send(HttpMethod.GET, e.getKey(), null, upgrade)
        .<Void>map(reply -> {
          if (reply.status() != e.getValue()) {
            failures.add("GET " + Corpus.abbreviate(e.getKey(), 100) + " (upgrade) → expected " + e.getValue() + ", got "
                + reply.status() + " " + Corpus.abbreviate(reply.body(), 100));
          }
          return null;
        })
        .recover(error -> {
          failures.add("GET " + e.getKey() + ": no answer (" + error + ")");
          return Future.succeededFuture();
        }))
        // The largest since is valid: a socket, whose first frame is a snapshot (another epoch).
        .compose(ignored -> Probe.join(vertx, nodes.get(1).port(), paper, "h-max", "&since=9007199254740991&epoch=e", false))
        .compose(probe -> {
          String first = probe.frames().get(0).type();
          if (!"snapshot".equals(first)) {
            failures.add("since=2^53-1 with another epoch: expected a snapshot first, got " + probe.frames().get(0).text());
          }
          return probe.close();
        })
        .onComplete(ctx.succeeding(ignored -> ctx.verify(() -> {
          report("handshake", failures);
          assertThat(failures).isEmpty();
          ctx.completeNow();
        })));
  }

  // ---- odd but valid: accepted, stored and returned as sent (on a paper of its own) -------------

  @Test
  @Order(5)
  void oddButValidNotesAreStoredAndReturnedExactlyByBothNodes(VertxTestContext ctx) {
    String deep = "[".repeat(900) + "]".repeat(900);
    List<String> frames = List.of(
        Corpus.opFrame("s1", Corpus.put("{\"id\":\"author\",\"author\":\"evil\",\"t\":1}")),
        Corpus.opFrame("s2", Corpus.put("{\"id\":\"nums\",\"big\":1e999999,\"int\":123456789012345678901234567890,"
            + "\"frac\":0.1000000000000000055511151231257827,\"tiny\":1e-999999}")),
        Corpus.opFrame("s3", Corpus.put("{\"id\":\"dup\",\"t\":1,\"t\":2}")),
        Corpus.opFrame("s4", Corpus.put("{\"id\":\"uni\",\"日本\":\"😀\",\"../\":\"\\u0000\",\"a\\\"b\":\"x\",\"\":\"empty key\","
            + "\"__proto__\":{\"x\":1},\"rtl\":\"\\u202e\"}")),
        Corpus.opFrame("s5", Corpus.put("{\"id\":\"deep\",\"t\":" + deep + "}")),
        Corpus.opFrame("s6", "{\"kind\":\"note.patch\",\"id\":\"nums\",\"fields\":{\"int\":null,\"more\":-0.0}}"),
        Corpus.opFrame("s7", Corpus.put("{\"id\":\"surrogate\",\"t\":\"\\ud800\"}")),
        // The client's author is ignored, so it cannot make the note too large: stored, it is small.
        Corpus.opFrame("s8", Corpus.put("{\"id\":\"big-author\",\"author\":\"" + "w".repeat(MAX_NOTE_BYTES) + "\",\"t\":1}")));
    List<String> failures = new ArrayList<>();
    Probe.join(vertx, nodes.get(0).port(), scratch, "odd-writer", false).compose(writer ->
        Probe.join(vertx, nodes.get(1).port(), scratch, "odd-reader", false).compose(reader ->
            sequentially(frames, frame -> {
              int mark = writer.mark();
              String cid = new JsonObject(frame).getString("cid");
              writer.sendText(frame);
              return writer.next(mark, r -> ("delta".equals(r.type()) || "error".equals(r.type()))
                      && cid.equals(r.json().getString("cid")))
                  .timeout(ANSWER_MS, TimeUnit.MILLISECONDS)
                  .<Void>map(r -> {
                    if (!"delta".equals(r.type())) {
                      failures.add("valid op " + Corpus.abbreviate(frame, 100) + " was refused: " + r.text());
                    }
                    return null;
                  })
                  .recover(error -> {
                    failures.add("valid op " + Corpus.abbreviate(frame, 100) + ": no answer");
                    return Future.succeededFuture();
                  });
            })
                .compose(ignored -> {
                  long accepted = writer.framesOfType("delta").size();
                  return reader.next(0, r -> "delta".equals(r.type()) && r.json().getLong("seq") == accepted)
                      .timeout(ANSWER_MS, TimeUnit.MILLISECONDS);
                })
                .compose(ignored -> Future.all(http.get(0).get("/api/papers/" + scratch),
                    http.get(1).get("/api/papers/" + scratch)))
                .map(all -> {
                  Http.Reply a = all.resultAt(0);
                  Http.Reply b = all.resultAt(1);
                  if (!state(a.body()).equals(state(b.body()))) {
                    failures.add("the nodes disagree on the scratch paper:\n  " + a.body() + "\n  " + b.body());
                  }
                  checkOddNotes(a.body(), deep, failures);
                  return null;
                })
                .eventually(() -> Future.all(writer.close(), reader.close()))))
        .onComplete(ctx.succeeding(ignored -> ctx.verify(() -> {
          report("accepted", failures);
          assertThat(failures).isEmpty();
          ctx.completeNow();
        })));
  }

  private static void checkOddNotes(String body, String deep, List<String> failures) {
    JsonNode root;
    try {
      root = FrameCodec.mapper().readTree(body);
    } catch (Exception e) {
      failures.add("GET is not JSON: " + body);
      return;
    }
    Map<String, JsonNode> notes = new LinkedHashMap<>();
    root.get("notes").forEach(note -> notes.put(note.get("id").asText(), note));
    JsonNode author = notes.get("author");
    if (author == null || !"odd-writer".equals(author.path("author").asText())) {
      failures.add("a client's 'author' was not replaced by the sender: " + author);
    }
    JsonNode nums = notes.get("nums");
    if (nums == null || nums.get("big").decimalValue().compareTo(new BigDecimal("1e999999")) != 0
        || nums.get("frac").decimalValue().compareTo(new BigDecimal("0.1000000000000000055511151231257827")) != 0
        || nums.get("tiny").decimalValue().compareTo(new BigDecimal("1e-999999")) != 0
        || nums.has("int") || !nums.has("more")) {
      failures.add("numbers did not come back exactly (or the patch was not applied): " + nums);
    }
    JsonNode dup = notes.get("dup");
    if (dup == null || dup.get("t").asInt() != 2) {
      failures.add("a duplicated key did not keep its last value: " + dup);
    }
    JsonNode uni = notes.get("uni");
    if (uni == null || !"😀".equals(uni.path("日本").asText()) || !"\u0000".equals(uni.path("../").asText())
        || !"x".equals(uni.path("a\"b").asText()) || !"empty key".equals(uni.path("").asText())
        || uni.path("__proto__").path("x").asInt() != 1 || !"\u202e".equals(uni.path("rtl").asText())) {
      failures.add("odd field names or values did not come back as sent: " + uni);
    }
    JsonNode nested = notes.get("deep");
    if (nested == null || !FrameCodec.write(nested.get("t")).equals(deep)) {
      failures.add("a 900-deep value did not come back as sent");
    }
    JsonNode bigAuthor = notes.get("big-author");
    if (bigAuthor == null || !"odd-writer".equals(bigAuthor.path("author").asText())) {
      failures.add("a note whose only oversize part is the client's (ignored) author was not stored as the sender's: "
          + bigAuthor);
    }
    JsonNode surrogate = notes.get("surrogate");
    String t = surrogate == null ? null : surrogate.path("t").asText();
    if (!"\ud800".equals(t)) {
      // JSON allows a lone surrogate escape; what comes back is informative only (PROTOCOL.md is silent).
      LOG.info("bad-input: a note with a lone surrogate \\ud800 came back as {}", surrogate == null ? null
          : FrameCodec.write(surrogate.path("t")));
    }
  }

  // ---- afterwards: untouched, ready, nothing leaked, nothing logged -------------------------------

  @Test
  @Order(6)
  void afterwardsThePaperIsUntouchedTheNodesAreReadyAndNothingLeaked(VertxTestContext ctx) {
    List<String> problems = Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < watchers.size(); i++) {
      Probe watcher = watchers.get(i);
      List<String> deltas = watcher.framesOfType("delta").stream().map(Probe.Received::text).toList();
      if (!deltas.isEmpty()) {
        problems.add("watcher on node " + i + " saw deltas (an op was applied): " + deltas);
      }
      if (watcher.isClosed()) {
        problems.add("watcher on node " + i + " was closed: " + watcher.closeReason());
      }
    }
    Future.all(watchers.stream().map(Probe::close).toList())
        .compose(closed -> Future.all(http.get(0).get("/api/papers/" + paper), http.get(1).get("/api/papers/" + paper)))
        .compose(all -> {
          for (int i = 0; i < 2; i++) {
            Http.Reply reply = all.resultAt(i);
            if (reply.status() != 200 || !state(reply.body()).equals(before)) {
              problems.add("node " + i + " answers a changed paper:\n  before " + before.encode() + "\n  after  "
                  + reply.body());
            }
          }
          return Future.all(http.get(0).get("/health/ready"), http.get(1).get("/health/ready"));
        })
        .compose(all -> {
          for (int i = 0; i < 2; i++) {
            Http.Reply reply = all.resultAt(i);
            if (reply.status() != 200) {
              problems.add("node " + i + " is not ready: " + reply.status() + " " + reply.body());
            }
          }
          return Future.all(connectionsDrop(0), connectionsDrop(1));
        })
        .compose(all -> {
          for (int i = 0; i < 2; i++) {
            double open = all.resultAt(i);
            if (open != 0) {
              problems.add("node " + i + " still counts " + open + " open sessions and local papers (rpl_connections + "
                  + "rpl_papers) after every client closed");
            }
          }
          return presenceEmpty();
        })
        .compose(presence -> {
          if (!presence.isEmpty()) {
            problems.add("presence of the paper is not empty after every client closed: " + presence.encode()
                + " — their cases: " + presence.stream().map(e -> ((JsonObject) e).getString("user"))
                .map(u -> u + "=" + casesOf.get(u)).toList());
          }
          return strayKeys();
        })
        .compose(stray -> {
          if (!stray.isEmpty()) {
            problems.add("Redis holds keys of papers nobody wrote to: " + stray);
          }
          return stillUsable();
        })
        .onComplete(ctx.succeeding(ignored -> ctx.verify(() -> {
          List<String> errors = logs.atLeast(Level.ERROR);
          List<String> warnings = logs.atLeast(Level.WARN).stream().filter(w -> w.startsWith("WARN")).toList();
          warnings.forEach(w -> LOG.info("bad-input: warning logged during the suite: {}", w));
          errors.forEach(e -> problems.add("logged: " + e));
          report("aftermath", problems);
          assertThat(problems).isEmpty();
          ctx.completeNow();
        })));
  }

  /** A fresh client on each node joins at the paper's seq, writes, and the other node's client sees it. */
  private static Future<Void> stillUsable() {
    return TestClient.join(vertx, nodes.get(0).port(), "/ws/" + paper + "?user=after0").compose(a ->
        TestClient.join(vertx, nodes.get(1).port(), "/ws/" + paper + "?user=after1").compose(b -> {
          long seq = before.getLong("seq");
          assertThat(a.frames().get(0).getLong("seq")).isEqualTo(seq);
          assertThat(b.frames().get(0).getLong("seq")).isEqualTo(seq);
          return a.apply(put("after", "text", "still writable"))
              .compose(ack -> {
                assertThat(ack.getLong("seq")).isEqualTo(seq + 1);
                return b.seq(seq + 1);
              })
              .compose(seen -> b.apply(patch("after", new JsonObject().put("text", "both ways"))))
              .compose(ack -> a.seq(seq + 2))
              .eventually(() -> Future.all(a.close(), b.close()))
              .mapEmpty();
        }));
  }

  /** rpl_connections of a node once it has settled (it may lag the clients' close by a moment). */
  private static Future<Double> connectionsDrop(int node) {
    return poll(() -> http.get(node).get("/metrics").map(reply -> metric(reply.body(), "rpl_connections")
        + metric(reply.body(), "rpl_papers")), v -> v == 0, 50);
  }

  /** Presence once every leave has been recorded: well within PRESENCE_TTL, so an entry left behind still shows. */
  private static Future<JsonArray> presenceEmpty() {
    return poll(() -> http.get(0).get("/api/papers/" + paper).map(r -> new JsonObject(r.body()).getJsonArray("presence")),
        JsonArray::isEmpty, 30);
  }

  /** Polls every 100 ms until {@code done} holds or {@code tries} run out; answers the last value. */
  private static <T> Future<T> poll(Supplier<Future<T>> read, java.util.function.Predicate<T> done, int tries) {
    return read.get().compose(value -> {
      if (done.test(value) || tries <= 1) {
        return Future.succeededFuture(value);
      }
      Promise<T> later = Promise.promise();
      vertx.setTimer(100, t -> poll(read, done, tries - 1).onComplete(later));
      return later.future();
    });
  }

  private static double metric(String text, String name) {
    for (String line : text.split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no metric " + name);
  }

  /** Keys of papers other than the two this suite wrote to (a refused frame must create nothing). */
  private static Future<List<String>> strayKeys() {
    Redis client = Redis.createClient(vertx, redis.url());
    return client.send(Request.cmd(Command.KEYS).arg("rp:*")).map(reply -> {
      List<String> stray = new ArrayList<>();
      for (Response key : reply) {
        String k = key.toString();
        int open = k.indexOf('{');
        int close = k.indexOf('}');
        if (open >= 0 && close > open) {
          String tag = k.substring(open + 1, close);
          if (!tag.equals(paper) && !tag.equals(scratch)) {
            stray.add(k);
          }
        }
      }
      return stray;
    }).eventually(client::close);
  }

  // ---- running cases -----------------------------------------------------------------------------

  /** Runs the cases in batches of {@link #BATCH} per connection, alternating nodes. */
  private Future<Void> runBatches(List<Case> cases, int batch, List<String> failures) {
    if (cases.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Case> now = cases.subList(0, Math.min(BATCH, cases.size()));
    List<Case> rest = cases.subList(now.size(), cases.size());
    return runBatch(now, batch % 2, failures).compose(ignored -> runBatches(rest, batch + 1, failures));
  }

  private Future<Void> runBatch(List<Case> cases, int node, List<String> failures) {
    String user = "bad" + users.incrementAndGet();
    Probe watcher = watchers.get(1 - node);
    return Probe.join(vertx, nodes.get(node).port(), paper, user, false).compose(probe -> {
      List<Outcome> seen = new ArrayList<>();
      Future<Void> chain = Future.succeededFuture();
      for (int i = 0; i < cases.size(); i++) {
        Case c = cases.get(i);
        chain = chain.compose(ignored -> probe.isClosed() ? Future.failedFuture(new Replaced(c)) : Future.succeededFuture())
            .compose(ignored -> runCase(probe, watcher, c, failures).map(outcome -> {
              seen.add(outcome);
              return null;
            }));
      }
      return chain.compose(ignored -> endOfBatch(probe, watcher, cases, seen, failures))
          .recover(error -> {
            if (error instanceof Replaced replaced) {
              // The connection was closed by a case before it; run the rest on a fresh one.
              int from = cases.indexOf(replaced.next);
              return runBatch(cases.subList(from, cases.size()), 1 - node, failures);
            }
            return Future.failedFuture(error);
          })
          .eventually(probe::close);
    });
  }

  private static final class Replaced extends RuntimeException {
    final Case next;

    Replaced(Case next) {
      super(null, null, false, false);
      this.next = next;
    }
  }

  /**
   * Sends one case and waits for its outcome: an error on the probe, the signal relayed to the watcher
   * on the other node, a close — or nothing within {@link #ANSWER_MS}.
   */
  private Future<Outcome> runCase(Probe probe, Probe watcher, Case c, List<String> failures) {
    casesOf.computeIfAbsent(probe.user(), u -> Collections.synchronizedList(new ArrayList<>()))
        .add(c.category() + "/" + c.name());
    int mark = probe.mark();
    int watched = watcher.mark();
    Promise<Outcome> outcome = Promise.promise();
    if (c.expected().stream().allMatch(o -> o instanceof Outcome.Ignored)) {
      outcome.tryComplete(new Outcome.Ignored());
    }
    probe.next(mark, r -> "error".equals(r.type())).onSuccess(r -> outcome.tryComplete(asError(r)));
    watcher.next(watched, r -> "signal".equals(r.type()) && probe.user().equals(r.json().getString("by")))
        .onSuccess(r -> outcome.tryComplete(new Outcome.Relayed()));
    probe.closed().onSuccess(code -> outcome.tryComplete(new Outcome.Closed(code == null ? -1 : code)));
    long timer = vertx.setTimer(ANSWER_MS, t -> outcome.tryComplete(null));
    send(probe, c.payload()).onFailure(error -> outcome.tryComplete(new Outcome.Closed(-2)));
    probe.sync().onSuccess(handled -> vertx.setTimer(GRACE_MS, t -> outcome.tryComplete(null)));
    return outcome.future().map(result -> {
      vertx.cancelTimer(timer);
      if (result == null || !c.expected().contains(result)) {
        failures.add(c.describe() + " → expected " + oneOf(c.expected()) + ", got "
            + (result == null ? "no answer" : result + closeDetail(probe, result)));
      }
      return result;
    });
  }

  /** After a batch: the connection still works (a signal gets through) and no error came unasked. */
  private Future<Void> endOfBatch(Probe probe, Probe watcher, List<Case> cases, List<Outcome> seen, List<String> failures) {
    long errorsSeen = seen.stream().filter(o -> o instanceof Outcome.Error).count();
    String names = cases.stream().map(c -> c.category() + "/" + c.name()).collect(Collectors.joining(", "));
    if (probe.isClosed()) {
      return Future.succeededFuture();
    }
    int watched = watcher.mark();
    String marker = "end-" + probe.user();
    probe.sendText(Corpus.signal("{\"marker\":\"" + marker + "\"}"));
    return watcher.next(watched, r -> "signal".equals(r.type()) && r.text().contains("\"" + marker + "\""))
        .timeout(ANSWER_MS, TimeUnit.MILLISECONDS)
        .map(ignored -> {
          long errors = probe.framesOfType("error").size();
          if (errors != errorsSeen) {
            failures.add("batch [" + names + "]: " + errors + " error frames for " + errorsSeen + " refusals: "
                + probe.framesOfType("error").stream().map(Probe.Received::text).toList());
          }
          return (Void) null;
        })
        .recover(error -> {
          failures.add("batch [" + names + "]: the connection stopped relaying signals after the batch"
              + (probe.isClosed() ? " (closed " + probe.closeCode() + " " + probe.closeReason() + ")" : ""));
          return Future.succeededFuture();
        });
  }

  /** A case that closes the connection, or needs a connection of its own (permessage-deflate). */
  private Future<Void> runAlone(Case c, List<String> failures) {
    int node = users.get() % 2;
    String user = "bad" + users.incrementAndGet();
    boolean deflate = c.payload() instanceof Payload.Compressed;
    return Probe.join(vertx, nodes.get(node).port(), paper, user, deflate).compose(probe -> {
      // The node negotiates no compression (docs/COMPRESSION.md): the probe offers it, is refused it,
      // and sends the text as it is; RSV1 frames are CompressionBombTest's.
      if (deflate && probe.extensions().contains("permessage-deflate")) {
        failures.add(c.describe() + ": the node negotiated permessage-deflate");
      }
      return runCase(probe, watchers.get(1 - node), c, failures).compose(outcome -> {
        if (!c.closes()) {
          return endOfBatch(probe, watchers.get(1 - node), List.of(c), outcome == null ? List.of() : List.of(outcome),
              failures);
        }
        if (outcome instanceof Outcome.Error) {
          // An error first: note whether a close follows (it should have come instead).
          return probe.closed().timeout(GRACE_MS, TimeUnit.MILLISECONDS)
              .map(code -> {
                failures.add("  (" + c.name() + ": the error was followed by close " + code + ")");
                return (Void) null;
              })
              .otherwiseEmpty();
        }
        return Future.<Void>succeededFuture();
      }).eventually(probe::close);
    }).recover(error -> {
      failures.add(c.describe() + ": could not run: " + error);
      return Future.succeededFuture();
    });
  }

  private Future<Void> runPolicy(PolicyCase c, List<String> failures) {
    int node = users.get() % 2;
    String user = "bad" + users.incrementAndGet();
    casesOf.put(user, List.of("policy/" + c.name()));
    return Probe.join(vertx, nodes.get(node).port(), paper, user, false).compose(probe -> {
      AtomicInteger counted = new AtomicInteger();
      Future<Probe.Received> errors = probe.next(0, r -> "error".equals(r.type())
          && counted.incrementAndGet() >= (c.closeCode() == null ? c.expectedErrors() : c.expectedErrors() - 1));
      c.payloads().forEach(payload -> send(probe, payload));
      Future<Void> done;
      if (c.closeCode() != null) {
        done = probe.closed().timeout(5, TimeUnit.SECONDS).map(code -> {
          int errorCount = probe.framesOfType("error").size();
          if (code == null || code.intValue() != c.closeCode() || errorCount < c.expectedErrors() - 1) {
            failures.add(c.name() + ": expected close " + c.closeCode() + " after " + c.expectedErrors()
                + " refusals, got close " + code + " after " + errorCount + " errors");
          }
          return (Void) null;
        }).recover(error -> {
          failures.add(c.name() + ": expected close " + c.closeCode() + ", the connection stayed open after "
              + probe.framesOfType("error").size() + " errors");
          return Future.succeededFuture();
        });
      } else {
        done = errors.timeout(5, TimeUnit.SECONDS).compose(all -> {
          if (probe.isClosed()) {
            failures.add(c.name() + ": the connection was closed (" + probe.closeCode() + ")");
            return Future.<Void>succeededFuture();
          }
          Probe watcher = watchers.get(1 - node);
          int watched = watcher.mark();
          probe.sendText(Corpus.signal("{\"marker\":\"policy-" + user + "\"}"));
          return watcher.next(watched, r -> r.text().contains("\"policy-" + user + "\""))
              .timeout(ANSWER_MS, TimeUnit.MILLISECONDS).<Void>mapEmpty()
              .recover(error -> {
                failures.add(c.name() + ": the connection no longer relays after the refusals (closed: "
                    + probe.isClosed() + " " + probe.closeCode() + ")");
                return Future.succeededFuture();
              });
        }).recover(error -> {
          failures.add(c.name() + ": expected " + c.expectedErrors() + " errors, got " + probe.framesOfType("error").size()
              + (probe.isClosed() ? " and close " + probe.closeCode() : ""));
          return Future.succeededFuture();
        });
      }
      return done.eventually(probe::close);
    });
  }

  private static Future<Void> send(Probe probe, Payload payload) {
    if (payload instanceof Payload.Text t) {
      return probe.sendText(t.text());
    } else if (payload instanceof Payload.Compressed c) {
      return probe.sendText(c.text());
    } else if (payload instanceof Payload.RawText r) {
      return probe.sendRawText(r.bytes());
    } else if (payload instanceof Payload.Binary b) {
      return probe.sendBinary(b.bytes());
    } else if (payload instanceof Payload.Fragments f) {
      return probe.sendFragments(f.parts());
    } else if (payload instanceof Payload.Ping p) {
      return probe.sendPing(p.payload());
    } else {
      return probe.sendPong(((Payload.Pong) payload).payload());
    }
  }

  private static Outcome asError(Probe.Received r) {
    Object cid = r.json().getValue("cid");
    return new Outcome.Error(r.json().getString("code"), cid == null ? null : cid.toString());
  }

  private static String closeDetail(Probe probe, Outcome result) {
    if (result instanceof Outcome.Closed) {
      return " (reason " + probe.closeReason() + ")";
    }
    if (result instanceof Outcome.Error) {
      List<Probe.Received> errors = probe.framesOfType("error");
      return " (" + errors.get(errors.size() - 1).json().getString("message") + ")";
    }
    return "";
  }

  private static String oneOf(List<Outcome> outcomes) {
    return outcomes.size() == 1 ? outcomes.get(0).toString()
        : outcomes.stream().map(Object::toString).collect(Collectors.joining(" or "));
  }

  private static <T> Future<Void> sequentially(List<T> items, java.util.function.Function<T, Future<Void>> run) {
    Future<Void> chain = Future.succeededFuture();
    for (T item : items) {
      chain = chain.compose(ignored -> run.apply(item));
    }
    return chain;
  }

  private static void report(String test, List<String> lines) {
    if (!lines.isEmpty()) {
      deviations.put(test, List.copyOf(lines));
      lines.forEach(line -> LOG.warn("bad-input [{}] {}", test, line));
    }
  }
}
