package io.rollingpaper.node.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Whether one JSON Web Key can verify signatures: an RSA or EC public key for signing, with an
 * algorithm we accept and key material Java can load. Spelled exactly as RFC 7517/7518 spell it
 * ({@code "kty":"rsa"} is not a key type). Pure functions, any thread.
 */
final class Jwk {
  private static final List<String> RSA_ALGORITHMS = List.of("RS256", "RS384", "RS512");
  /** Curve name (JWK), its Java name, and the one algorithm it signs with. */
  private static final Map<String, String[]> CURVES = Map.of(
      "P-256", new String[] {"secp256r1", "ES256"},
      "P-384", new String[] {"secp384r1", "ES384"},
      "P-521", new String[] {"secp521r1", "ES512"});

  private Jwk() {
  }

  /** Why the key cannot verify tokens, or null when it can. */
  static String problem(JsonObject jwk) {
    Object use = jwk.getValue("use");
    if (use != null && !"sig".equals(use)) {
      return "has \"use\":" + quoted(use) + "; only signing keys (\"sig\") verify tokens";
    }
    Object ops = jwk.getValue("key_ops");
    if (ops != null && !(ops instanceof JsonArray list && list.contains("verify"))) {
      return "has key_ops without \"verify\"";
    }
    Object kty = jwk.getValue("kty");
    Object alg = jwk.getValue("alg");
    if (alg != null && !(alg instanceof String)) {
      return "has a non-string alg";
    }
    if ("RSA".equals(kty)) {
      if (alg != null && !RSA_ALGORITHMS.contains(alg)) {
        return "is an RSA key with alg " + quoted(alg) + "; accepted: " + RSA_ALGORITHMS;
      }
      return loads(() -> KeyFactory.getInstance("RSA").generatePublic(
          new RSAPublicKeySpec(number(jwk, "n"), number(jwk, "e"))));
    }
    if ("EC".equals(kty)) {
      String[] curve = jwk.getValue("crv") instanceof String crv ? CURVES.get(crv) : null;
      if (curve == null) {
        return "is an EC key with crv " + quoted(jwk.getValue("crv")) + "; accepted: " + CURVES.keySet();
      }
      if (alg != null && !curve[1].equals(alg)) {
        return "is a " + jwk.getString("crv") + " key with alg " + quoted(alg) + "; it signs with " + curve[1];
      }
      return loads(() -> {
        AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
        parameters.init(new ECGenParameterSpec(curve[0]));
        ECParameterSpec spec = parameters.getParameterSpec(ECParameterSpec.class);
        return KeyFactory.getInstance("EC").generatePublic(
            new ECPublicKeySpec(new ECPoint(number(jwk, "x"), number(jwk, "y")), spec));
      });
    }
    return "has kty " + quoted(kty) + "; accepted: \"RSA\" and \"EC\" public keys";
  }

  /** The key's algorithm, given or implied (RS256 for RSA, the curve's for EC); call on a usable key only. */
  static String algorithm(JsonObject jwk) {
    if (jwk.getValue("alg") instanceof String alg) {
      return alg;
    }
    return "EC".equals(jwk.getValue("kty")) ? CURVES.get(jwk.getString("crv"))[1] : "RS256";
  }

  /** The algorithm of an EC key with a field of {@code bits}. */
  static String ecAlgorithm(int bits) {
    return bits <= 256 ? "ES256" : bits <= 384 ? "ES384" : "ES512";
  }

  private interface KeyLoad {
    Object load() throws Exception;
  }

  private static String loads(KeyLoad load) {
    try {
      load.load();
      return null;
    } catch (Exception e) {
      return "cannot be loaded as a public key (" + e.getClass().getSimpleName() + ")";
    }
  }

  private static BigInteger number(JsonObject jwk, String member) {
    if (!(jwk.getValue(member) instanceof String encoded) || encoded.isEmpty()) {
      throw new IllegalArgumentException("missing " + member);
    }
    return new BigInteger(1, Base64.getUrlDecoder().decode(encoded));
  }

  private static String quoted(Object value) {
    return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
  }
}
