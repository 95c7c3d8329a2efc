package io.rollingpaper.node.auth;

import io.rollingpaper.node.config.AuthSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks the main backend's JWTs in three steps, each failing closed: the header's {@code alg} must be
 * one of the configured keys' algorithms (so never {@code none}, and never HS256 against an RSA key);
 * Vert.x then checks the signature only; {@link TokenClaims} judges the claims and times. Anything odd
 * a client sends ends as an {@link AuthFailure}, never an exception. Runs on the event loop.
 */
public final class TokenVerifier {
  /** Far above any real token; a longer one is refused before it is decoded. */
  private static final int MAX_TOKEN_LENGTH = 8192;
  private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");

  private final JWTAuth jwt;
  private final Set<String> algorithms;
  private final TokenClaims claims;

  private TokenVerifier(JWTAuth jwt, Set<String> algorithms, TokenClaims claims) {
    this.jwt = jwt;
    this.algorithms = algorithms;
    this.claims = claims;
  }

  /** Throws a {@code ConfigException} when any configured key cannot verify tokens. */
  public static TokenVerifier create(Vertx vertx, AuthSettings settings) {
    VerificationKeys keys = VerificationKeys.load(settings);
    // Times are TokenClaims' to judge, with leeway and without overflow; Vert.x checks the signature.
    JWTAuthOptions options = keys.options().setJWTOptions(new JWTOptions().setIgnoreExpiration(true));
    return new TokenVerifier(JWTAuth.create(vertx, options), keys.algorithms(),
        new TokenClaims(settings.audience(), settings.issuer()));
  }

  /** Verifies a token for one paper. */
  public Future<Grant> verify(String token, String paper) {
    if (token == null || token.isBlank()) {
      return refused("a token is required (access_token or Authorization: Bearer)");
    }
    JsonObject payload;
    try {
      payload = unverifiedPayload(token);
    } catch (AuthFailure failure) {
      return Future.failedFuture(failure);
    } catch (RuntimeException malformed) {
      return refused("the token is malformed");
    }
    Future<?> signed;
    try {
      signed = jwt.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      signed = Future.failedFuture(e);
    }
    return signed.recover(error -> refused("the token is invalid or expired")).compose(user -> {
      try {
        return Future.succeededFuture(claims.grant(payload, paper, System.currentTimeMillis()));
      } catch (AuthFailure failure) {
        return Future.failedFuture(failure);
      } catch (RuntimeException unexpected) {
        return refused("the token's claims are malformed");
      }
    });
  }

  /** The payload, read only once the header names an algorithm of ours; its signature is checked after. */
  private JsonObject unverifiedPayload(String token) {
    if (token.length() > MAX_TOKEN_LENGTH || !SHAPE.matcher(token).matches()) {
      throw new AuthFailure(401, "the token is malformed");
    }
    String[] parts = token.split("\\.", -1);
    JsonObject header = json(parts[0]);
    if (!(header.getValue("alg") instanceof String alg) || !algorithms.contains(alg)) {
      throw new AuthFailure(401, "the token's algorithm is not accepted here");
    }
    return json(parts[1]);
  }

  private static JsonObject json(String base64url) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(base64url), StandardCharsets.UTF_8));
  }

  private static <T> Future<T> refused(String message) {
    return Future.failedFuture(new AuthFailure(401, message));
  }
}
