package io.rollingpaper.node.auth;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.rollingpaper.node.support.Handshake;
import io.rollingpaper.node.support.Jwt;
import io.rollingpaper.node.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Tokens, good or bad, in the query or a header, never reach the node's logs, even at DEBUG. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class TokensNotLoggedTest {
  TestNode node;

  @AfterEach
  void stop(VertxTestContext ctx) {
    (node == null ? Future.<Void>succeededFuture() : node.stop()).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void noTokenAppearsInTheLogs(Vertx vertx, VertxTestContext ctx) {
    String secret = TokenChecksTest.SECRET;
    long now = System.currentTimeMillis() / 1000;
    Map<String, String> tokens = new LinkedHashMap<>();
    tokens.put("good", Jwt.hs256(secret, Jwt.ownerClaims("ann", 600)));
    tokens.put("bad signature", Jwt.hs256(secret + "x", Jwt.ownerClaims("ann", 600)));
    tokens.put("expired", Jwt.hs256(secret, "{\"sub\":\"ann\",\"role\":\"owner\",\"papers\":[\"*\"],\"exp\":" + (now - 600) + "}"));
    tokens.put("another paper", Jwt.hs256(secret, "{\"sub\":\"ann\",\"role\":\"owner\",\"papers\":[\"q\"],\"exp\":" + (now + 600) + "}"));
    tokens.put("malformed claims", Jwt.hs256(secret, "{\"sub\":\"ann\",\"papers\":\"p\",\"exp\":\"soon\"}"));
    tokens.put("not a JWT", "zzzz-not-a-jwt-token-zzzz");
    tokens.put("unsigned", Jwt.unsigned(Jwt.ownerClaims("ann", 600)));
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Level level = root.getLevel();
    root.setLevel(Level.DEBUG);
    ListAppender<ILoggingEvent> logs = TokenChecksTest.capture();
    Map<String, String> env = new HashMap<>(Map.of("AUTH_DISABLED", "false", "AUTH_JWT_SECRET", secret,
        "API_KEY", UnusableKeysTest.API_KEY));
    List<String> outcomes = new ArrayList<>();
    Future<Void> chain = TestNode.start(env).map(started -> {
      node = started;
      return null;
    });
    for (String token : tokens.values()) {
      chain = chain
          .compose(v -> Handshake.attempt(vertx, node.port(), "/ws/p?access_token=" + token))
          .compose(h -> {
            outcomes.add(h.outcome());
            return Handshake.attempt(vertx, node.port(), "/ws/p", Map.of("Authorization", "Bearer " + token));
          })
          .map(h -> {
            outcomes.add(h.outcome());
            return null;
          });
    }
    chain.onComplete(ctx.succeeding(done -> ctx.verify(() -> {
      TokenChecksTest.release(logs);
      root.setLevel(level);
      assertThat(outcomes).contains("admitted", "4401 unauthorized", "4403 forbidden");
      List<String> lines = new ArrayList<>();
      for (ILoggingEvent event : List.copyOf(logs.list)) {
        lines.add(event.getFormattedMessage() + (event.getThrowableProxy() == null ? "" : " " + event.getThrowableProxy().getMessage()));
      }
      assertThat(lines).as("the node logged something").isNotEmpty();
      for (Map.Entry<String, String> token : tokens.entrySet()) {
        // The signature part alone is enough to find a token in a log line.
        String[] parts = token.getValue().split("\\.");
        String tail = parts[parts.length - 1].isEmpty() ? parts[1] : parts[parts.length - 1];
        assertThat(lines).as(token.getKey()).noneMatch(line -> line.contains(token.getValue()) || line.contains(tail));
      }
      ctx.completeNow();
    })));
  }
}
