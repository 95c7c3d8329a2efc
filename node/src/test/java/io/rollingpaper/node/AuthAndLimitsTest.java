package io.rollingpaper.node;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.rollingpaper.node.support.Handshake;
import io.rollingpaper.node.support.Http;
import io.rollingpaper.node.support.Jwt;
import io.rollingpaper.node.support.Poll;
import io.rollingpaper.node.support.RawWebSocket;
import io.rollingpaper.node.support.TestClient;
import io.rollingpaper.node.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.rollingpaper.node.support.TestClient.delete;
import static io.rollingpaper.node.support.TestClient.patch;
import static io.rollingpaper.node.support.TestClient.put;
import static org.assertj.core.api.Assertions.assertThat;

/** Tokens, roles, the API key, origins and the per-connection and per-node limits. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class AuthAndLimitsTest {
  static final String SECRET = "test-secret-that-is-long-enough-for-hs256";
  static final String API_KEY = "api-key-0123456789-0123456789-0123456789";
  TestNode node;

  @AfterEach
  void stop(VertxTestContext ctx) {
    if (node == null) {
      ctx.completeNow();
    } else {
      node.stop().onComplete(ctx.succeedingThenComplete());
    }
  }

  Future<TestNode> start(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>();
    env.put("AUTH_DISABLED", "false");
    env.put("AUTH_JWT_SECRET", SECRET);
    env.put("API_KEY", API_KEY);
    env.putAll(extra);
    return TestNode.start(env).map(started -> node = started);
  }

  static String token(Vertx vertx, String sub, String role, List<String> papers, int expiresInSeconds) {
    JWTAuth signer = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET)));
    return signer.generateToken(new JsonObject().put("sub", sub).put("name", sub.toUpperCase()).put("role", role)
        .put("papers", new JsonArray(papers)), new JWTOptions().setExpiresInSeconds(expiresInSeconds));
  }

  @Test
  void aViewersJoinOfAMissingPaperGets4404AndCreatesNothingWhileAWritersCreatesIt(Vertx vertx, VertxTestContext ctx) {
    start(Map.of()).compose(n -> TestClient.connect(vertx, node.port(),
            "/ws/fresh?access_token=" + token(vertx, "vic", "viewer", List.of("fresh"), 60)))
        .compose(viewer -> viewer.closed().map(code -> {
          assertThat(code).isEqualTo((short) 4404);
          assertThat(viewer.frames()).hasSize(1);
          assertThat(viewer.frames().get(0).getString("code")).isEqualTo("not_found");
          assertThat(viewer.frames().get(0).getValue("cid")).isNull();
          return null;
        }))
        .compose(refused -> new Http(vertx, node.port()).send(io.vertx.core.http.HttpMethod.GET, "/api/papers/fresh",
            null, Map.of("Authorization", "Bearer " + API_KEY)))
        .compose(read -> {
          assertThat(read.status()).as("the viewer's join stored nothing").isEqualTo(404);
          return join(vertx, "fresh", token(vertx, "ann", "writer", List.of("fresh"), 60));
        })
        .compose(writer -> {
          assertThat(writer.frames().get(0).getString("type")).isEqualTo("snapshot");
          return join(vertx, "fresh", token(vertx, "vic", "viewer", List.of("fresh"), 60));
        })
        .map(viewer -> {
          assertThat(viewer.frames().get(0).getString("type")).as("a viewer joins a paper that exists")
              .isEqualTo("snapshot");
          return null;
        }).onComplete(ctx.succeedingThenComplete());
  }

  Future<TestClient> join(Vertx vertx, String paper, String token) {
    return TestClient.join(vertx, node.port(), "/ws/" + paper + "?access_token=" + token);
  }

  Future<String> outcome(Vertx vertx, String uri) {
    return outcome(vertx, uri, Map.of());
  }

  Future<String> outcome(Vertx vertx, String uri, Map<String, String> headers) {
    return Handshake.attempt(vertx, node.port(), uri, headers).map(Handshake::outcome);
  }

  /**
   * The status of a WebSocket handshake, read off a raw socket: an HTTP client's pool raced a refusal's
   * closed connection at times ("Pool closed"), and the status line is all this asks.
   */
  Future<Integer> handshakeStatus(Vertx vertx, String uri, Map<String, String> headers) {
    return RawWebSocket.upgrade(vertx, node.port(), uri, headers).compose(raw -> {
      String head = raw.responseHead().result();
      int status = Integer.parseInt(head.substring(head.indexOf(' ') + 1, head.indexOf(' ') + 4));
      return raw.close().transform(ignored -> Future.succeededFuture(status));
    });
  }

  @Test
  void badTokensAreRefusedInBandWithTheCloseCodeAClientCanAct(Vertx vertx, VertxTestContext ctx) {
    start(Map.of()).compose(n -> outcome(vertx, "/ws/p1"))
        .compose(outcome -> {
          assertThat(outcome).as("no token").isEqualTo("4401 unauthorized");
          return outcome(vertx, "/ws/p1?access_token=not.a.jwt");
        }).compose(outcome -> {
          assertThat(outcome).as("garbage token").isEqualTo("4401 unauthorized");
          String forged = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
                  .setAlgorithm("HS256").setBuffer("another-secret-another-secret-another")))
              .generateToken(new JsonObject().put("sub", "eve").put("role", "owner").put("papers", new JsonArray().add("*")),
                  new JWTOptions().setExpiresInSeconds(60));
          return outcome(vertx, "/ws/p1?access_token=" + forged);
        }).compose(outcome -> {
          assertThat(outcome).as("signed with another key").isEqualTo("4401 unauthorized");
          return outcome(vertx, "/ws/p1?access_token=" + token(vertx, "ann", "writer", List.of("p2"), 60));
        }).compose(outcome -> {
          assertThat(outcome).as("a token for another paper").isEqualTo("4403 forbidden");
          return outcome(vertx, "/ws/p1?access_token=" + token(vertx, "ann", "king", List.of("p1"), 60));
        }).compose(outcome -> {
          assertThat(outcome).as("an unknown role").isEqualTo("4401 unauthorized");
          String expired = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
                  .setAlgorithm("HS256").setBuffer(SECRET)))
              .generateToken(new JsonObject().put("sub", "ann").put("role", "owner").put("papers", new JsonArray().add("*"))
                  .put("exp", System.currentTimeMillis() / 1000 - 60));
          return outcome(vertx, "/ws/p1?access_token=" + expired);
        }).compose(outcome -> {
          assertThat(outcome).as("an expired token").isEqualTo("4401 unauthorized");
          // A writer: a viewer's join of a paper that does not exist yet is 4404 (creation is deliberate).
          return outcome(vertx, "/ws/p1", Map.of("Authorization", "Bearer " + token(vertx, "ann", "writer", List.of("*"), 60)));
        }).compose(outcome -> {
          assertThat(outcome).as("the header, for non-browser clients, and a wildcard").isEqualTo("admitted");
          return join(vertx, "p1", token(vertx, "ann", "writer", List.of("p1"), 60));
        }).map(ann -> {
          JsonObject snapshot = ann.frames().get(0);
          assertThat(snapshot.getJsonArray("presence")).containsExactly(new JsonObject().put("user", "ann").put("name", "ANN"));
          return null;
        }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void anInBandRefusalIsOneErrorFrameWithNoCidThenTheClose(Vertx vertx, VertxTestContext ctx) {
    start(Map.of()).compose(n -> Handshake.attempt(vertx, node.port(), "/ws/p1?access_token="
            + token(vertx, "ann", "writer", List.of("p2"), 60)))
        .compose(refused -> {
          assertThat(refused.status()).as("the upgrade completes: a browser can read what follows").isEqualTo(101);
          assertThat(refused.frames()).hasSize(1);
          JsonObject error = refused.frames().get(0);
          assertThat(error.getString("type")).isEqualTo("error");
          assertThat(error.containsKey("cid")).isTrue();
          assertThat(error.getValue("cid")).isNull();
          assertThat(error.getString("code")).isEqualTo("forbidden");
          assertThat(error.getString("message")).isNotBlank();
          assertThat(refused.closeCode()).isEqualTo((short) 4403);
          return new Http(vertx, node.port()).get("/metrics");
        }).map(metrics -> {
          assertThat(metrics.body()).containsPattern("rpl_handshake_refusals_total\\{reason=\"forbidden\",?\\} 1\\.0");
          return null;
        }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aDrainingNodeUpgradesAndClosesWith1012SoTheClientReconnectsAtOnce(Vertx vertx, VertxTestContext ctx) {
    String token = token(vertx, "ann", "writer", List.of("*"), 60);
    start(Map.of("DRAIN_READY_DELAY", "10s"))
        .compose(n -> {
          node.node().drain();
          return Poll.until(vertx, "the node reports itself draining", 5000,
              () -> new Http(vertx, node.port()).get("/health/ready").map(r -> r.status() == 503));
        })
        .compose(ready -> Handshake.attempt(vertx, node.port(), "/ws/d?access_token=" + token))
        .map(refused -> {
          assertThat(refused.status()).isEqualTo(101);
          assertThat(refused.closeCode()).isEqualTo((short) 1012);
          assertThat(refused.frames()).as("1012 says it all: reconnect at once").isEmpty();
          return null;
        }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void rolesDecideWhatAConnectionMayDo(Vertx vertx, VertxTestContext ctx) {
    start(Map.of()).compose(n -> join(vertx, "r", token(vertx, "ann", "writer", List.of("r"), 60)))
        .compose(ann -> join(vertx, "r", token(vertx, "bob", "writer", List.of("r"), 60)).compose(bob ->
            join(vertx, "r", token(vertx, "vic", "viewer", List.of("r"), 60)).compose(vic ->
                join(vertx, "r", token(vertx, "own", "owner", List.of("*"), 60)).compose(owner ->
                    ann.apply(put("a", "t", 1))
                        .compose(ack -> bob.error(bob.op(patch("a", new JsonObject().put("t", 2)))))
                        .compose(e -> {
                          assertThat(e.getString("code")).as("a writer patching another's note").isEqualTo("forbidden");
                          return bob.error(bob.op(delete("a")));
                        })
                        .compose(e -> {
                          assertThat(e.getString("code")).isEqualTo("forbidden");
                          return bob.error(bob.op(put("a", "t", "mine now")));
                        })
                        .compose(e -> {
                          assertThat(e.getString("code")).as("a writer replacing another's note").isEqualTo("forbidden");
                          return vic.error(vic.op(put("v")));
                        })
                        .compose(e -> {
                          assertThat(e.getString("code")).as("a viewer writing").isEqualTo("forbidden");
                          vic.send("{\"type\":\"signal\",\"data\":1}");
                          return vic.waitFor(f -> "error".equals(f.getString("type")) && f.getString("cid") == null);
                        })
                        .compose(e -> {
                          assertThat(e.getString("code")).isEqualTo("forbidden");
                          return bob.apply(put("b"));
                        })
                        .compose(ack -> ann.apply(patch("a", new JsonObject().put("t", 3))))
                        .compose(ack -> owner.apply(delete("a")))
                        .compose(ack -> vic.seq(ack.getLong("seq")))
                        .map(seen -> {
                          assertThat(seen.getString("by")).as("a viewer still reads everything").isEqualTo("own");
                          return null;
                        })))))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aSessionIsClosedWith1008WhenItsTokenExpiresAfterTheLeeway(Vertx vertx, VertxTestContext ctx) {
    // Expired 27 s ago: still inside the 30 s of clock skew allowed, so admitted, and closed when that runs out.
    String expiring = Jwt.hs256(SECRET, new JsonObject().put("sub", "ann").put("role", "writer")
        .put("papers", new JsonArray().add("x")).put("exp", System.currentTimeMillis() / 1000 - 27).encode());
    long start = System.currentTimeMillis();
    start(Map.of()).compose(n -> join(vertx, "x", expiring))
        .compose(TestClient::closed)
        .map(code -> {
          assertThat(code).isEqualTo((short) 1008);
          assertThat(System.currentTimeMillis() - start).isGreaterThanOrEqualTo(1000);
          return null;
        }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void publicKeysInPemAndJwksAreAccepted(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) throws Exception {
    KeyPair rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair();
    KeyPairGenerator ecGenerator = KeyPairGenerator.getInstance("EC");
    ecGenerator.initialize(256);
    KeyPair ec = ecGenerator.generateKeyPair();
    Path rsaPem = Files.writeString(dir.resolve("rsa.pem"), pem("PUBLIC KEY", rsa.getPublic().getEncoded()));
    String rsaToken = sign(vertx, "RS256", pem("PRIVATE KEY", rsa.getPrivate().getEncoded()));
    String ecToken = sign(vertx, "ES256", pem("PRIVATE KEY", ec.getPrivate().getEncoded()));
    Path ecPem = Files.writeString(dir.resolve("ec.pem"), pem("PUBLIC KEY", ec.getPublic().getEncoded()));
    java.security.interfaces.RSAPublicKey rsaPublic = (java.security.interfaces.RSAPublicKey) rsa.getPublic();
    Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
    JsonObject jwk = new JsonObject().put("kty", "RSA").put("alg", "RS256").put("use", "sig")
        .put("n", url.encodeToString(unsigned(rsaPublic.getModulus())))
        .put("e", url.encodeToString(unsigned(rsaPublic.getPublicExponent())));
    Path jwks = Files.writeString(dir.resolve("jwks.json"), new JsonObject().put("keys", new JsonArray().add(jwk)).encode());
    Map<String, String> noSecret = new HashMap<>(Map.of("AUTH_JWT_SECRET", ""));
    noSecret.put("AUTH_JWT_PUBLIC_KEY_FILE", rsaPem.toString());
    start(noSecret).compose(n -> outcome(vertx, "/ws/k?access_token=" + rsaToken))
        .compose(status -> {
          assertThat(status).as("RS256 with a PEM key").isEqualTo("admitted");
          return node.stop();
        })
        .compose(v -> start(Map.of("AUTH_JWT_SECRET", "", "AUTH_JWT_PUBLIC_KEY_FILE", ecPem.toString())))
        .compose(n -> outcome(vertx, "/ws/k?access_token=" + ecToken))
        .compose(status -> {
          assertThat(status).as("ES256 with a PEM key").isEqualTo("admitted");
          return outcome(vertx, "/ws/k?access_token=" + rsaToken);
        })
        .compose(status -> {
          assertThat(status).as("a token signed by another key").isEqualTo("4401 unauthorized");
          return node.stop();
        })
        .compose(v -> start(Map.of("AUTH_JWT_SECRET", "", "AUTH_JWKS_FILE", jwks.toString())))
        .compose(n -> outcome(vertx, "/ws/k?access_token=" + rsaToken))
        .map(status -> {
          assertThat(status).as("RS256 with a JWKS file").isEqualTo("admitted");
          return null;
        }).onComplete(ctx.succeedingThenComplete());
  }

  private static String sign(Vertx vertx, String algorithm, String privatePem) {
    return JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm(algorithm)
            .setBuffer(privatePem)))
        .generateToken(new JsonObject().put("sub", "ann").put("role", "owner").put("papers", new JsonArray().add("k")),
            new JWTOptions().setAlgorithm(algorithm).setExpiresInSeconds(60));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static byte[] unsigned(java.math.BigInteger value) {
    byte[] bytes = value.toByteArray();
    return bytes[0] == 0 ? java.util.Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
  }

  @Test
  void theHttpApiNeedsTheApiKeyButHealthAndMetricsDoNot(Vertx vertx, VertxTestContext ctx) {
    start(Map.of()).compose(n -> {
      Http http = new Http(vertx, node.port());
      String body = new JsonObject().put("op", put("n1")).encode();
      return http.post("/api/papers/k/ops", body).compose(reply -> {
        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.json().getString("code")).isEqualTo("unauthorized");
        return http.send(HttpMethod.POST, "/api/papers/k/ops", body, Map.of("Authorization", "Bearer wrong"));
      }).compose(reply -> {
        assertThat(reply.status()).isEqualTo(401);
        return http.send(HttpMethod.POST, "/api/papers/k/ops", body, Map.of("Authorization", "Bearer " + API_KEY));
      }).compose(reply -> {
        assertThat(reply.status()).isEqualTo(200);
        return http.get("/health/ready");
      }).compose(reply -> {
        assertThat(reply.status()).isEqualTo(200);
        return http.get("/metrics");
      }).map(reply -> {
        assertThat(reply.status()).isEqualTo(200);
        return null;
      });
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void onlyAllowedBrowserOriginsMayOpenSockets(Vertx vertx, VertxTestContext ctx) {
    String token = token(vertx, "ann", "writer", List.of("*"), 60);
    start(Map.of("ALLOWED_ORIGINS", "https://board.example, https://other.example"))
        .compose(n -> handshakeStatus(vertx, "/ws/o?access_token=" + token, Map.of("Origin", "https://evil.example")))
        .compose(status -> {
          assertThat(status).isEqualTo(403);
          return handshakeStatus(vertx, "/ws/o?access_token=" + token, Map.of("Origin", "https://other.example"));
        }).compose(status -> {
          assertThat(status).isEqualTo(101);
          return handshakeStatus(vertx, "/ws/o?access_token=" + token, Map.of());
        }).map(status -> {
          assertThat(status).as("no Origin: not a browser").isEqualTo(101);
          return null;
        }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void opsPastTheRateAreRateLimitedAndPersistentAbuseCloses(Vertx vertx, VertxTestContext ctx) {
    String token = token(vertx, "ann", "owner", List.of("*"), 60);
    start(Map.of("RATE_OPS_PER_SECOND", "2", "RATE_OPS_BURST", "5", "RATE_LIMIT_CLOSE_AFTER", "20"))
        .compose(n -> join(vertx, "rl", token))
        .compose(ann -> {
          for (int i = 0; i < 10; i++) {
            ann.op(put("n" + i));
          }
          return ann.waitFor(f -> "error".equals(f.getString("type")) && "rate_limited".equals(f.getString("code")))
              .compose(limited -> {
                assertThat(limited.getString("cid")).as("the refusal names the op").isNotNull();
                for (int i = 0; i < 30; i++) {
                  ann.op(put("m" + i));
                }
                return ann.closed();
              }).map(code -> {
                assertThat(code).isEqualTo((short) 1008);
                assertThat(ann.deltas().size()).as("only the burst got through").isBetween(5, 8);
                return null;
              });
        }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void connectionsPerPaperAndPerAddressAreCapped(Vertx vertx, VertxTestContext ctx) {
    String token = token(vertx, "ann", "owner", List.of("*"), 60);
    start(Map.of("MAX_CONNECTIONS_PER_PAPER", "2", "MAX_CONNECTIONS_PER_ADDRESS", "3"))
        .compose(n -> join(vertx, "cap", token)).compose(a -> join(vertx, "cap", token))
        .compose(b -> outcome(vertx, "/ws/cap?access_token=" + token))
        .compose(status -> {
          assertThat(status).as("a third socket on the paper").isEqualTo("4429 rate_limited");
          return join(vertx, "other", token);
        })
        .compose(c -> outcome(vertx, "/ws/third?access_token=" + token))
        .map(status -> {
          assertThat(status).as("a fourth socket from this address").isEqualTo("4429 rate_limited");
          return null;
        }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void tokensAndApiKeysNeverReachTheLogs(Vertx vertx, VertxTestContext ctx) {
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    captured.start();
    root.addAppender(captured);
    String token = token(vertx, "ann", "owner", List.of("*"), 60);
    start(Map.of("LOG_LEVEL", "DEBUG"))
        .compose(n -> join(vertx, "logs", token))
        .compose(ann -> handshakeStatus(vertx, "/ws/logs?access_token=" + token + "x", Map.of()))
        .compose(status -> new Http(vertx, node.port()).send(HttpMethod.GET, "/api/papers/logs", null,
            Map.of("Authorization", "Bearer " + API_KEY + "-wrong")))
        .map(reply -> {
          root.detachAppender(captured);
          for (ILoggingEvent event : captured.list) {
            String line = event.getFormattedMessage();
            assertThat(line).doesNotContain(token, SECRET, API_KEY);
          }
          assertThat(captured.list).as("the node did log something").isNotEmpty();
          return null;
        }).onComplete(ctx.succeedingThenComplete());
  }
}
