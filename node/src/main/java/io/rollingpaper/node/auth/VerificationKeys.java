package io.rollingpaper.node.auth;

import io.rollingpaper.node.config.AuthSettings;
import io.rollingpaper.node.config.ConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The keys tokens are verified with, and the algorithms they allow. Fails closed: a key that cannot be
 * used for verification is a {@link ConfigException} naming it, never a key skipped in silence (Vert.x
 * skips keys it cannot load, and with none left it verifies unsigned tokens). Read once at start, off
 * any event loop (config) or on the deploying thread (start).
 */
public final class VerificationKeys {
  /** The fewest bytes of an HS256 secret: shorter ones can be guessed offline from one token. */
  public static final int MIN_SECRET_BYTES = 32;
  private static final Pattern PEM = Pattern.compile(
      "\\s*-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\\s]+)-----END PUBLIC KEY-----\\s*");

  private final JWTAuthOptions options;
  private final Set<String> algorithms;

  private VerificationKeys(JWTAuthOptions options, Set<String> algorithms) {
    this.options = options;
    this.algorithms = Set.copyOf(algorithms);
  }

  /** Reads every configured key; throws a {@link ConfigException} listing every key that cannot verify. */
  public static VerificationKeys load(AuthSettings settings) {
    JWTAuthOptions options = new JWTAuthOptions();
    Set<String> algorithms = new LinkedHashSet<>();
    List<String> problems = new ArrayList<>();
    settings.jwtSecret().ifPresent(secret -> {
      if (secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
        problems.add("AUTH_JWT_SECRET must be at least " + MIN_SECRET_BYTES + " bytes (a random 64-character string is "
            + "a good choice)");
      } else {
        options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret));
        algorithms.add("HS256");
      }
    });
    settings.jwtPublicKeyFile().ifPresent(file -> read("AUTH_JWT_PUBLIC_KEY_FILE", file, problems).ifPresent(pem -> {
      String algorithm = pemAlgorithm(pem, file, problems);
      if (algorithm != null) {
        options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(algorithm).setBuffer(pem.trim()));
        algorithms.add(algorithm);
      }
    }));
    settings.jwksFile().ifPresent(file -> read("AUTH_JWKS_FILE", file, problems).ifPresent(text ->
        jwks(text, file, problems).forEach(jwk -> {
          options.addJwk(jwk);
          algorithms.add(jwk.getString("alg"));
        })));
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new VerificationKeys(options, algorithms);
  }

  /** The options Vert.x verifies signatures with; every key in them is known to be usable. */
  public JWTAuthOptions options() {
    return options;
  }

  /** The {@code alg} values a token may name: those of the configured keys, never {@code none}. */
  public Set<String> algorithms() {
    return algorithms;
  }

  private static String pemAlgorithm(String pem, String file, List<String> problems) {
    Matcher m = PEM.matcher(pem);
    if (!m.matches()) {
      problems.add("AUTH_JWT_PUBLIC_KEY_FILE " + file + " must hold one PEM public key (-----BEGIN PUBLIC KEY-----)");
      return null;
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(m.group(1).replaceAll("\\s", ""));
    } catch (IllegalArgumentException e) {
      problems.add("AUTH_JWT_PUBLIC_KEY_FILE " + file + " is not valid base64 inside its PEM markers");
      return null;
    }
    for (String kind : List.of("RSA", "EC")) {
      try {
        PublicKey key = KeyFactory.getInstance(kind).generatePublic(new X509EncodedKeySpec(der));
        return key instanceof ECPublicKey ec ? Jwk.ecAlgorithm(ec.getParams().getCurve().getField().getFieldSize())
            : "RS256";
      } catch (Exception notThisKind) {
        // try the next kind
      }
    }
    problems.add("AUTH_JWT_PUBLIC_KEY_FILE " + file + " is not an RSA or EC public key");
    return null;
  }

  private static List<JsonObject> jwks(String text, String file, List<String> problems) {
    JsonArray keys;
    try {
      keys = new JsonObject(text).getJsonArray("keys");
    } catch (RuntimeException e) {
      problems.add("AUTH_JWKS_FILE " + file + " is not a JWKS (a JSON object with a \"keys\" array)");
      return List.of();
    }
    if (keys == null || keys.isEmpty()) {
      problems.add("AUTH_JWKS_FILE " + file + " holds no keys");
      return List.of();
    }
    List<JsonObject> usable = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      Object key = keys.getValue(i);
      String problem = key instanceof JsonObject jwk ? Jwk.problem(jwk) : "is not a JSON object";
      if (problem != null) {
        problems.add("AUTH_JWKS_FILE " + file + ": key " + i + " " + problem);
      } else {
        JsonObject jwk = ((JsonObject) key).copy();
        usable.add(jwk.put("alg", Jwk.algorithm(jwk)));
      }
    }
    return usable;
  }

  private static java.util.Optional<String> read(String variable, String file, List<String> problems) {
    try {
      return java.util.Optional.of(Files.readString(Path.of(file), StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      problems.add(variable + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
      return java.util.Optional.empty();
    }
  }
}
