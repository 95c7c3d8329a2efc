package io.rollingpaper.node.auth;

import io.rollingpaper.node.config.AuthSettings;
import io.rollingpaper.node.session.Identity;
import io.rollingpaper.protocol.Ids;
import io.rollingpaper.protocol.Role;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Locale;

/**
 * Checks the main backend's JWTs: signature (HS256 secret, or an RS256/ES256 public key from a PEM
 * or JWKS file), expiry, and the claims PROTOCOL.md names — {@code sub}, {@code name}, {@code papers}
 * (ids or {@code *}), {@code role} (viewer, writer, owner) and {@code exp}, which is required. Keys are read once at start; a key
 * that cannot be read stops the node there.
 */
public final class TokenVerifier {
  private final JWTAuth jwt;

  private TokenVerifier(JWTAuth jwt) {
    this.jwt = jwt;
  }

  public static TokenVerifier create(Vertx vertx, AuthSettings settings) {
    JWTAuthOptions options = new JWTAuthOptions();
    settings.jwtSecret().ifPresent(secret ->
        options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
    settings.jwtPublicKeyFile().ifPresent(file -> {
      String pem = read(file);
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(algorithmOf(pem, file)).setBuffer(pem));
    });
    settings.jwksFile().ifPresent(file -> {
      JsonArray keys = new JsonObject(read(file)).getJsonArray("keys", new JsonArray());
      if (keys.isEmpty()) {
        throw new IllegalArgumentException("AUTH_JWKS_FILE " + file + " holds no keys");
      }
      keys.forEach(key -> options.addJwk((JsonObject) key));
    });
    return new TokenVerifier(JWTAuth.create(vertx, options));
  }

  /** Verifies a token for one paper. */
  public Future<Grant> verify(String token, String paper) {
    if (token == null || token.isBlank()) {
      return Future.failedFuture(new AuthFailure(401, "a token is required (access_token or Authorization: Bearer)"));
    }
    return jwt.authenticate(new TokenCredentials(token))
        .recover(error -> Future.failedFuture(new AuthFailure(401, "the token is invalid or expired")))
        // The decoded claims; the principal holds only some of them.
        .compose(user -> grant(user.attributes().getJsonObject("accessToken", user.principal()), paper));
  }

  private static Future<Grant> grant(JsonObject claims, String paper) {
    String sub = claims.getValue("sub") instanceof String s ? s : null;
    if (sub == null || !Ids.isValid(sub)) {
      return Future.failedFuture(new AuthFailure(401, "the token's sub must be a user id of [A-Za-z0-9_-]"));
    }
    Role role = role(claims.getValue("role"));
    if (role == null) {
      return Future.failedFuture(new AuthFailure(401, "the token's role must be viewer, writer or owner"));
    }
    Object papers = claims.getValue("papers");
    if (!(papers instanceof JsonArray list) || !(list.contains("*") || list.contains(paper))) {
      return Future.failedFuture(new AuthFailure(403, "the token does not cover this paper"));
    }
    if (!(claims.getValue("exp") instanceof Number exp)) {
      return Future.failedFuture(new AuthFailure(401, "the token must carry exp: a session ends when its token does"));
    }
    String name = claims.getValue("name") instanceof String n && !n.isBlank() ? n : sub;
    long expiresAt = exp.longValue() * 1000;
    return Future.succeededFuture(new Grant(new Identity(sub, name, role), expiresAt));
  }

  private static Role role(Object claim) {
    if (!(claim instanceof String s)) {
      return null;
    }
    try {
      return Role.valueOf(s.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** RS256 for an RSA key, ES256 for an EC key: the key says which. */
  private static String algorithmOf(String pem, String file) {
    String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    byte[] der = Base64.getDecoder().decode(base64);
    for (String[] candidate : new String[][] {{"RSA", "RS256"}, {"EC", "ES256"}}) {
      try {
        KeyFactory.getInstance(candidate[0]).generatePublic(new X509EncodedKeySpec(der));
        return candidate[1];
      } catch (Exception notThisKind) {
        // try the next kind
      }
    }
    throw new IllegalArgumentException("AUTH_JWT_PUBLIC_KEY_FILE " + file + " is not an RSA or EC public key in PEM");
  }

  private static String read(String file) {
    try {
      return Files.readString(Path.of(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
