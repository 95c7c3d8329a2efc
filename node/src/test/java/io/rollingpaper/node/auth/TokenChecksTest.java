package io.rollingpaper.node.auth;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.rollingpaper.node.support.Handshake;
import io.rollingpaper.node.support.Jwt;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.rollingpaper.node.support.TestClient.put;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a running node makes of tokens: only the configured keys' algorithms (never {@code none}, never
 * HS256 made with a public key), malformed claims refused with 4401 and nothing worse, 30 s of clock
 * skew, far-future expiry without overflow, and the optional audience and issuer.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class TokenChecksTest {
  static final String SECRET = "test-secret-0123456789-0123456789-0123456789";
  static final String UNAUTHORIZED = "4401 unauthorized";
  TestNode node;

  @AfterEach
  void stop(VertxTestContext ctx) {
    (node == null ? Future.<Void>succeededFuture() : node.stop()).onComplete(ctx.succeedingThenComplete());
  }

  Future<TestNode> start(Map<String, String> auth) {
    Map<String, String> env = new HashMap<>(Map.of("AUTH_DISABLED", "false", "API_KEY", UnusableKeysTest.API_KEY));
    env.putAll(auth);
    return (node == null ? Future.<Void>succeededFuture() : node.stop())
        .compose(stopped -> TestNode.start(env)).map(started -> node = started);
  }

  /** Tries every token in turn; answers token name to outcome, in order. */
  Future<Map<String, String>> outcomes(Vertx vertx, Map<String, String> tokens) {
    Map<String, String> seen = new LinkedHashMap<>();
    Future<Void> chain = Future.succeededFuture();
    for (Map.Entry<String, String> t : tokens.entrySet()) {
      chain = chain.compose(v -> Handshake.attempt(vertx, node.port(), "/ws/p1?access_token=" + t.getValue())
          .map(h -> {
            seen.put(t.getKey(), h.outcome());
            return null;
          }));
    }
    return chain.map(seen);
  }

  static long now() {
    return System.currentTimeMillis() / 1000;
  }

  static Map<String, String> allRefused(Map<String, String> tokens) {
    Map<String, String> expected = new LinkedHashMap<>();
    tokens.keySet().forEach(name -> expected.put(name, UNAUTHORIZED));
    return expected;
  }

  @Test
  void unsignedTokensAreRefusedWhateverKeysAreConfigured(Vertx vertx, VertxTestContext ctx, @TempDir Path dir)
      throws Exception {
    KeyPair rsa = UnusableKeysTest.rsa();
    String owner = Jwt.ownerClaims("eve", 600);
    String headerNone = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes());
    String body = Jwt.unsigned(owner).split("\\.")[1];
    Map<String, String> tokens = new LinkedHashMap<>();
    tokens.put("alg none", Jwt.unsigned(owner));
    tokens.put("alg none with a signature", headerNone + "." + body + ".c2lnbmF0dXJl");
    tokens.put("alg None", Jwt.unsigned(owner).replaceFirst("^[^.]+", java.util.Base64.getUrlEncoder().withoutPadding()
        .encodeToString("{\"alg\":\"None\"}".getBytes())));
    tokens.put("no alg", java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("{}".getBytes()) + "." + body + ".");
    Path pem = Files.writeString(dir.resolve("rsa.pem"), UnusableKeysTest.pem("PUBLIC KEY", rsa.getPublic().getEncoded()));
    Path jwks = Files.writeString(dir.resolve("jwks.json"),
        new JsonObject().put("keys", new JsonArray().add(UnusableKeysTest.rsaJwk(rsa))).encode());
    Map<String, Map<String, String>> seen = new LinkedHashMap<>();
    start(Map.of("AUTH_JWT_SECRET", SECRET))
        .compose(n -> outcomes(vertx, tokens)).compose(hs256 -> {
          seen.put("HS256", hs256);
          return start(Map.of("AUTH_JWT_PUBLIC_KEY_FILE", pem.toString()));
        })
        .compose(n -> outcomes(vertx, tokens)).compose(pemSeen -> {
          seen.put("PEM", pemSeen);
          return start(Map.of("AUTH_JWKS_FILE", jwks.toString()));
        })
        .compose(n -> outcomes(vertx, tokens)).compose(jwksSeen -> {
          seen.put("JWKS", jwksSeen);
          // The same claims, signed: admitted, so the refusals above are the signature's doing.
          return Handshake.attempt(vertx, node.port(), "/ws/p1?access_token=" + Jwt.rs256(rsa.getPrivate(), owner));
        })
        .onComplete(ctx.succeeding(signed -> ctx.verify(() -> {
          assertThat(seen).containsExactly(Map.entry("HS256", allRefused(tokens)), Map.entry("PEM", allRefused(tokens)),
              Map.entry("JWKS", allRefused(tokens)));
          assertThat(signed.outcome()).isEqualTo("admitted");
          ctx.completeNow();
        })));
  }

  @Test
  void anHs256TokenSignedWithThePublicKeyIsRefused(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) throws Exception {
    KeyPair rsa = UnusableKeysTest.rsa();
    String publicPem = UnusableKeysTest.pem("PUBLIC KEY", rsa.getPublic().getEncoded());
    Path pem = Files.writeString(dir.resolve("rsa.pem"), publicPem);
    String owner = Jwt.ownerClaims("eve", 600);
    Map<String, String> tokens = new LinkedHashMap<>();
    tokens.put("HS256 keyed with the PEM text", Jwt.hs256(publicPem, owner));
    tokens.put("HS256 keyed with the trimmed PEM", Jwt.hs256(publicPem.trim(), owner));
    start(Map.of("AUTH_JWT_PUBLIC_KEY_FILE", pem.toString()))
        .compose(n -> outcomes(vertx, tokens))
        .onComplete(ctx.succeeding(seen -> ctx.verify(() -> {
          assertThat(seen).isEqualTo(allRefused(tokens));
          ctx.completeNow();
        })));
  }

  @Test
  void malformedClaimsInASignedTokenAre4401AndNeverAnErrorInTheLogs(Vertx vertx, VertxTestContext ctx) {
    long exp = now() + 600;
    String papers = "\"papers\":[\"*\"]";
    String owner = "\"sub\":\"ann\",\"role\":\"owner\"";
    Map<String, String> claims = new LinkedHashMap<>();
    claims.put("papers a string", "{" + owner + ",\"papers\":\"p1\",\"exp\":" + exp + "}");
    claims.put("papers an object", "{" + owner + ",\"papers\":{\"p1\":true},\"exp\":" + exp + "}");
    claims.put("papers of numbers", "{" + owner + ",\"papers\":[1,2],\"exp\":" + exp + "}");
    claims.put("papers null", "{" + owner + ",\"papers\":null,\"exp\":" + exp + "}");
    claims.put("no papers", "{" + owner + ",\"exp\":" + exp + "}");
    claims.put("unknown role", "{\"sub\":\"ann\",\"role\":\"king\"," + papers + ",\"exp\":" + exp + "}");
    claims.put("role a number", "{\"sub\":\"ann\",\"role\":3," + papers + ",\"exp\":" + exp + "}");
    claims.put("no sub", "{\"role\":\"owner\"," + papers + ",\"exp\":" + exp + "}");
    claims.put("sub a number", "{\"sub\":42,\"role\":\"owner\"," + papers + ",\"exp\":" + exp + "}");
    claims.put("sub with a space", "{\"sub\":\"a b\",\"role\":\"owner\"," + papers + ",\"exp\":" + exp + "}");
    claims.put("name a number", "{" + owner + "," + papers + ",\"name\":7,\"exp\":" + exp + "}");
    claims.put("no exp", "{" + owner + "," + papers + "}");
    claims.put("exp a string", "{" + owner + "," + papers + ",\"exp\":\"" + exp + "\"}");
    claims.put("exp an array", "{" + owner + "," + papers + ",\"exp\":[" + exp + "]}");
    claims.put("exp null", "{" + owner + "," + papers + ",\"exp\":null}");
    claims.put("exp negative", "{" + owner + "," + papers + ",\"exp\":-1}");
    claims.put("exp 1e400", "{" + owner + "," + papers + ",\"exp\":1e400}");
    claims.put("exp 1e30", "{" + owner + "," + papers + ",\"exp\":1e30}");
    claims.put("exp 10^16 (ms overflow a long)", "{" + owner + "," + papers + ",\"exp\":10000000000000000}");
    claims.put("exp 30 digits", "{" + owner + "," + papers + ",\"exp\":123456789012345678901234567890}");
    claims.put("nbf a string", "{" + owner + "," + papers + ",\"exp\":" + exp + ",\"nbf\":\"now\"}");
    claims.put("iat an object", "{" + owner + "," + papers + ",\"exp\":" + exp + ",\"iat\":{}}");
    claims.put("iat 1e400", "{" + owner + "," + papers + ",\"exp\":" + exp + ",\"iat\":1e400}");
    claims.put("payload an array", "[1,2,3]");
    claims.put("payload a string", "\"owner\"");
    claims.put("payload not JSON", "{\"sub\":");
    Map<String, String> tokens = new LinkedHashMap<>();
    claims.forEach((name, json) -> tokens.put(name, Jwt.hs256(SECRET, json)));
    ListAppender<ILoggingEvent> logs = capture();
    // Nested past the JSON parser's depth limit; too long for a URL, so in the header.
    String deep = Jwt.hs256(SECRET, "{" + owner + "," + papers + ",\"exp\":" + exp + ",\"x\":" + "[".repeat(1500)
        + "]".repeat(1500) + "}");
    Map<String, String> seen = new LinkedHashMap<>();
    long[] startedAt = new long[1];
    start(Map.of("AUTH_JWT_SECRET", SECRET))
        .compose(n -> {
          // What the node logs about itself while it starts (no archive, say) is not about tokens.
          startedAt[0] = System.currentTimeMillis();
          return outcomes(vertx, tokens);
        })
        .compose(outcomes -> {
          seen.putAll(outcomes);
          return Handshake.attempt(vertx, node.port(), "/ws/p1", Map.of("Authorization", "Bearer " + deep));
        })
        .onComplete(ctx.succeeding(nested -> ctx.verify(() -> {
          release(logs);
          assertThat(seen).isEqualTo(allRefused(tokens));
          assertThat(nested.outcome()).as("nested 1,500 deep").isEqualTo(UNAUTHORIZED);
          List<String> bad = new ArrayList<>();
          for (ILoggingEvent event : List.copyOf(logs.list)) {
            if (event.getTimeStamp() < startedAt[0]) {
              continue;
            }
            // A busy machine's blocked-thread warnings while the node starts are not about tokens.
            boolean aboutTokens = event.getLoggerName().startsWith("io.rollingpaper")
                || event.getLoggerName().startsWith("io.vertx.ext");
            if (event.getLevel().isGreaterOrEqual(Level.ERROR) || event.getThrowableProxy() != null
                || aboutTokens && event.getLevel().isGreaterOrEqual(Level.WARN)) {
              bad.add(event.getLevel() + " " + event.getLoggerName() + " " + event.getFormattedMessage());
            }
          }
          assertThat(bad).as("warnings, errors or stack traces logged").isEmpty();
          ctx.completeNow();
        })));
  }

  @Test
  void timesAllowThirtySecondsOfClockSkew(Vertx vertx, VertxTestContext ctx) {
    String base = "\"sub\":\"ann\",\"role\":\"owner\",\"papers\":[\"*\"]";
    Map<String, String> tokens = new LinkedHashMap<>();
    tokens.put("expired 20 s ago", Jwt.hs256(SECRET, "{" + base + ",\"exp\":" + (now() - 20) + "}"));
    tokens.put("expired 40 s ago", Jwt.hs256(SECRET, "{" + base + ",\"exp\":" + (now() - 40) + "}"));
    tokens.put("valid from 20 s on", Jwt.hs256(SECRET, "{" + base + ",\"exp\":" + (now() + 600) + ",\"nbf\":" + (now() + 20) + "}"));
    tokens.put("valid from 40 s on", Jwt.hs256(SECRET, "{" + base + ",\"exp\":" + (now() + 600) + ",\"nbf\":" + (now() + 40) + "}"));
    tokens.put("issued 20 s ahead", Jwt.hs256(SECRET, "{" + base + ",\"exp\":" + (now() + 600) + ",\"iat\":" + (now() + 20) + "}"));
    tokens.put("issued 40 s ahead", Jwt.hs256(SECRET, "{" + base + ",\"exp\":" + (now() + 600) + ",\"iat\":" + (now() + 40) + "}"));
    tokens.put("fractional times", Jwt.hs256(SECRET, "{" + base + ",\"exp\":" + (now() + 600) + ".5,\"iat\":" + now() + ".25}"));
    start(Map.of("AUTH_JWT_SECRET", SECRET))
        .compose(n -> outcomes(vertx, tokens))
        .onComplete(ctx.succeeding(seen -> ctx.verify(() -> {
          assertThat(seen).containsExactly(Map.entry("expired 20 s ago", "admitted"),
              Map.entry("expired 40 s ago", UNAUTHORIZED), Map.entry("valid from 20 s on", "admitted"),
              Map.entry("valid from 40 s on", UNAUTHORIZED), Map.entry("issued 20 s ahead", "admitted"),
              Map.entry("issued 40 s ahead", UNAUTHORIZED), Map.entry("fractional times", "admitted"));
          ctx.completeNow();
        })));
  }

  @Test
  void anExpiryFarInTheFutureDoesNotOverflow(Vertx vertx, VertxTestContext ctx) {
    String far = Jwt.hs256(SECRET, "{\"sub\":\"ann\",\"role\":\"owner\",\"papers\":[\"*\"],\"exp\":9007199254740991}");
    String beyondMillis = Jwt.hs256(SECRET, "{\"sub\":\"bob\",\"role\":\"owner\",\"papers\":[\"*\"],\"exp\":9300000000000000}");
    start(Map.of("AUTH_JWT_SECRET", SECRET))
        .compose(n -> Handshake.attempt(vertx, node.port(), "/ws/far?access_token=" + beyondMillis))
        .compose(refused -> {
          assertThat(refused.outcome()).as("exp past 2^53: in millis it overflows a long").isEqualTo(UNAUTHORIZED);
          return TestClient.join(vertx, node.port(), "/ws/far?access_token=" + far);
        })
        // Still open and served: its expiry timer did not wrap round to "now".
        .compose(ann -> ann.apply(put("n1")).compose(ack -> ann.apply(put("n2"))).map(ack -> ann))
        .onComplete(ctx.succeeding(ann -> ctx.verify(() -> {
          assertThat(ann.closed().isComplete()).isFalse();
          ctx.completeNow();
        })));
  }

  @Test
  void audienceAndIssuerAreCheckedWhenSet(Vertx vertx, VertxTestContext ctx) {
    String base = "\"sub\":\"ann\",\"role\":\"owner\",\"papers\":[\"*\"],\"exp\":" + (now() + 600);
    Map<String, String> tokens = new LinkedHashMap<>();
    tokens.put("neither", Jwt.hs256(SECRET, "{" + base + "}"));
    tokens.put("both", Jwt.hs256(SECRET, "{" + base + ",\"aud\":\"rpl\",\"iss\":\"backend\"}"));
    tokens.put("audience in a list", Jwt.hs256(SECRET, "{" + base + ",\"aud\":[\"other\",\"rpl\"],\"iss\":\"backend\"}"));
    tokens.put("another audience", Jwt.hs256(SECRET, "{" + base + ",\"aud\":\"other\",\"iss\":\"backend\"}"));
    tokens.put("another issuer", Jwt.hs256(SECRET, "{" + base + ",\"aud\":\"rpl\",\"iss\":\"mallory\"}"));
    tokens.put("no issuer", Jwt.hs256(SECRET, "{" + base + ",\"aud\":\"rpl\"}"));
    Map<String, String> unchecked = new LinkedHashMap<>();
    start(Map.of("AUTH_JWT_SECRET", SECRET))
        .compose(n -> outcomes(vertx, tokens)).compose(seen -> {
          unchecked.putAll(seen);
          return start(Map.of("AUTH_JWT_SECRET", SECRET, "AUTH_JWT_AUDIENCE", "rpl", "AUTH_JWT_ISSUER", "backend"));
        })
        .compose(n -> outcomes(vertx, tokens))
        .onComplete(ctx.succeeding(checked -> ctx.verify(() -> {
          assertThat(unchecked.values()).as("not configured: not checked").containsOnly("admitted");
          assertThat(checked).containsExactly(Map.entry("neither", UNAUTHORIZED), Map.entry("both", "admitted"),
              Map.entry("audience in a list", "admitted"), Map.entry("another audience", UNAUTHORIZED),
              Map.entry("another issuer", UNAUTHORIZED), Map.entry("no issuer", UNAUTHORIZED));
          ctx.completeNow();
        })));
  }

  static ListAppender<ILoggingEvent> capture() {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(appender);
    return appender;
  }

  static void release(ListAppender<ILoggingEvent> appender) {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(appender);
  }
}
