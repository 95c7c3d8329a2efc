package io.rollingpaper.browsertest;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HS256 tokens as the main backend would sign them for the board (PROTOCOL.md, Roles): {@code sub},
 * {@code name}, {@code role}, {@code papers}, {@code exp}. The values are plain ids and names, so the
 * JSON is written by hand.
 */
final class Jwt {
  private final byte[] secret;

  Jwt(String secret) {
    this.secret = secret.getBytes(StandardCharsets.UTF_8);
  }

  String sign(String sub, String name, String role, List<String> papers) {
    String header = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    String paperList = papers.stream().map(p -> "\"" + p + "\"").collect(Collectors.joining(","));
    String payload = "{\"sub\":\"" + sub + "\",\"name\":\"" + name + "\",\"role\":\"" + role + "\",\"papers\":["
        + paperList + "],\"exp\":" + Instant.now().plusSeconds(3600).getEpochSecond() + "}";
    String unsigned = base64(header.getBytes(StandardCharsets.UTF_8)) + "." + base64(payload.getBytes(StandardCharsets.UTF_8));
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return unsigned + "." + base64(mac.doFinal(unsigned.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String base64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
