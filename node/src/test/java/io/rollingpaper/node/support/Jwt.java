package io.rollingpaper.node.support;

import io.vertx.core.json.JsonObject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;

/**
 * Tokens made by hand, so a test controls every byte of header and claims (odd types, huge numbers,
 * {@code alg: none}) that a JWT library would refuse to produce.
 */
public final class Jwt {
  private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

  private Jwt() {
  }

  /** An HS256 token over {@code claims}, the raw JSON text of the payload. */
  public static String hs256(String secret, String claims) {
    String input = part("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + part(claims);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return input + "." + URL.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** An RS256 token over {@code claims}. */
  public static String rs256(PrivateKey key, String claims) {
    String input = part("{\"alg\":\"RS256\",\"typ\":\"JWT\"}") + "." + part(claims);
    try {
      Signature signature = Signature.getInstance("SHA256withRSA");
      signature.initSign(key);
      signature.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + URL.encodeToString(signature.sign());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** An unsecured token ({@code alg: none}, empty signature). */
  public static String unsigned(String claims) {
    return part("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + part(claims) + ".";
  }

  /** Claims of an owner of every paper, valid for {@code seconds} more. */
  public static String ownerClaims(String sub, long seconds) {
    return new JsonObject().put("sub", sub).put("role", "owner").put("papers", new io.vertx.core.json.JsonArray().add("*"))
        .put("exp", System.currentTimeMillis() / 1000 + seconds).encode();
  }

  private static String part(String json) {
    return URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
