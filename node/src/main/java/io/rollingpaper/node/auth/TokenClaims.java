package io.rollingpaper.node.auth;

import io.rollingpaper.node.session.Identity;
import io.rollingpaper.protocol.Ids;
import io.rollingpaper.protocol.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The claims of a token whose signature checked out, judged against PROTOCOL.md "Roles": every odd
 * value (a string exp, papers not an array, numbers past 2^53) is an {@link AuthFailure} 401, never an
 * exception. Times allow {@link #LEEWAY} of clock skew and are compared as decimals, so no value
 * overflows. Pure: any thread.
 */
final class TokenClaims {
  static final Duration LEEWAY = Duration.ofSeconds(30);
  /** Sessions whose token outlives this need no expiry timer: the node restarts long before. */
  static final Duration EXPIRY_HORIZON = Duration.ofDays(365);
  private static final BigDecimal MAX_NUMERIC_DATE = BigDecimal.valueOf((1L << 53) - 1);
  private static final int MAX_NAME_LENGTH = 100;

  private final Optional<String> audience;
  private final Optional<String> issuer;

  TokenClaims(Optional<String> audience, Optional<String> issuer) {
    this.audience = audience;
    this.issuer = issuer;
  }

  /** What the claims allow on {@code paper} at {@code nowMillis}; throws {@link AuthFailure} otherwise. */
  Grant grant(JsonObject claims, String paper, long nowMillis) {
    String sub = claims.getValue("sub") instanceof String s && Ids.isValid(s) ? s : null;
    if (sub == null) {
      throw unauthorized("the token's sub must be a user id of [A-Za-z0-9_-]");
    }
    Role role = role(claims.getValue("role"));
    if (role == null) {
      throw unauthorized("the token's role must be viewer, writer or owner");
    }
    if (!(claims.getValue("papers") instanceof JsonArray papers) || !papers.stream().allMatch(String.class::isInstance)) {
      throw unauthorized("the token's papers must be an array of paper ids");
    }
    Object nameClaim = claims.getValue("name");
    if (nameClaim != null && !(nameClaim instanceof String)) {
      throw unauthorized("the token's name must be a string");
    }
    BigDecimal now = BigDecimal.valueOf(nowMillis).movePointLeft(3);
    BigDecimal leeway = BigDecimal.valueOf(LEEWAY.toSeconds());
    BigDecimal exp = numericDate(claims, "exp");
    if (exp == null) {
      throw unauthorized("the token must carry exp: a session ends when its token does");
    }
    if (now.compareTo(exp.add(leeway)) >= 0) {
      throw unauthorized("the token has expired");
    }
    BigDecimal nbf = numericDate(claims, "nbf");
    if (nbf != null && now.add(leeway).compareTo(nbf) < 0) {
      throw unauthorized("the token is not valid yet (nbf)");
    }
    BigDecimal iat = numericDate(claims, "iat");
    if (iat != null && iat.compareTo(now.add(leeway)) > 0) {
      throw unauthorized("the token was issued in the future (iat)");
    }
    audience.ifPresent(expected -> {
      Object aud = claims.getValue("aud");
      if (!(expected.equals(aud) || aud instanceof JsonArray list && list.contains(expected))) {
        throw unauthorized("the token is not meant for this service (aud)");
      }
    });
    issuer.ifPresent(expected -> {
      if (!expected.equals(claims.getValue("iss"))) {
        throw unauthorized("the token was not issued by the expected issuer (iss)");
      }
    });
    if (!(papers.contains("*") || papers.contains(paper))) {
      throw new AuthFailure(403, "the token does not cover this paper");
    }
    String name = nameClaim instanceof String n && !n.isBlank() ? shortened(n) : sub;
    return new Grant(new Identity(sub, name, role), expiresAt(exp, nowMillis));
  }

  /** A NumericDate claim in seconds, null when absent; anything but a number from 0 to 2^53-1 is refused. */
  private static BigDecimal numericDate(JsonObject claims, String claim) {
    Object value = claims.getValue(claim);
    if (value == null) {
      return null;
    }
    BigDecimal seconds = null;
    if (value instanceof Integer || value instanceof Long) {
      seconds = BigDecimal.valueOf(((Number) value).longValue());
    } else if (value instanceof BigInteger big) {
      seconds = new BigDecimal(big);
    } else if (value instanceof BigDecimal decimal) {
      seconds = decimal;
    } else if ((value instanceof Double || value instanceof Float) && Double.isFinite(((Number) value).doubleValue())) {
      seconds = new BigDecimal(((Number) value).doubleValue());
    }
    if (seconds == null || seconds.signum() < 0 || seconds.compareTo(MAX_NUMERIC_DATE) > 0) {
      throw unauthorized("the token's " + claim + " must be a number of seconds from 0 to 2^53-1");
    }
    return seconds;
  }

  /** Epoch millis, or {@code Long.MAX_VALUE} (no expiry timer) past the horizon: 2^53 s in millis fits a long. */
  private static long expiresAt(BigDecimal exp, long nowMillis) {
    long millis = exp.movePointRight(3).longValue() + LEEWAY.toMillis();
    return millis - nowMillis > EXPIRY_HORIZON.toMillis() ? Long.MAX_VALUE : millis;
  }

  private static String shortened(String name) {
    return name.codePointCount(0, name.length()) <= MAX_NAME_LENGTH ? name
        : name.substring(0, name.offsetByCodePoints(0, MAX_NAME_LENGTH));
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

  private static AuthFailure unauthorized(String message) {
    return new AuthFailure(401, message);
  }
}
