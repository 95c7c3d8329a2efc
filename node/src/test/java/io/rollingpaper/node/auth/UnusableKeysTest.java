package io.rollingpaper.node.auth;

import io.rollingpaper.node.config.ConfigException;
import io.rollingpaper.node.config.NodeConfig;
import io.rollingpaper.node.support.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Keys fail closed: a node configured with any key it cannot verify tokens with does not start, and
 * says which key and why (issue 10: a JWKS of one "use":"enc" key turned signature checks off).
 */
class UnusableKeysTest {
  static final String API_KEY = "api-key-0123456789-0123456789-0123456789";
  private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

  static JsonObject rsaJwk(KeyPair rsa) {
    RSAPublicKey key = (RSAPublicKey) rsa.getPublic();
    return new JsonObject().put("kty", "RSA").put("alg", "RS256").put("use", "sig")
        .put("n", URL.encodeToString(unsigned(key.getModulus()))).put("e", URL.encodeToString(unsigned(key.getPublicExponent())));
  }

  static JsonObject ecJwk(KeyPair ec) {
    ECPublicKey key = (ECPublicKey) ec.getPublic();
    return new JsonObject().put("kty", "EC").put("crv", "P-256").put("use", "sig")
        .put("x", URL.encodeToString(fixed(key.getW().getAffineX(), 32)))
        .put("y", URL.encodeToString(fixed(key.getW().getAffineY(), 32)));
  }

  private static KeyPair rsa;

  /** One RSA key pair per test run: generating one takes seconds on a busy machine. */
  static synchronized KeyPair rsa() throws Exception {
    if (rsa == null) {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      rsa = generator.generateKeyPair();
    }
    return rsa;
  }

  static KeyPair ec() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    return generator.generateKeyPair();
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  static Map<String, String> jwksEnv(Path file) {
    return Map.of("AUTH_JWKS_FILE", file.toString(), "API_KEY", API_KEY);
  }

  @Test
  void everyUnusableKeyInAJwksStopsTheNodeNamingTheKey(@TempDir Path dir) throws Exception {
    KeyPair rsa = rsa();
    JsonObject good = rsaJwk(rsa);
    Map<String, JsonObject> bad = new LinkedHashMap<>();
    bad.put("an encryption key", good.copy().put("use", "enc"));
    bad.put("kty in lower case", good.copy().put("kty", "rsa"));
    bad.put("a symmetric key", new JsonObject().put("kty", "oct").put("k", "c2VjcmV0").put("alg", "HS256"));
    bad.put("an unknown kty", good.copy().put("kty", "OKP"));
    bad.put("an HS256 alg on an RSA key", good.copy().put("alg", "HS256"));
    bad.put("alg none", good.copy().put("alg", "none"));
    bad.put("an unknown alg", good.copy().put("alg", "RS1024"));
    bad.put("key_ops without verify", good.copy().put("key_ops", new JsonArray().add("encrypt")));
    bad.put("no modulus", good.copy().put("n", (String) null));
    bad.put("an unknown curve", ecJwk(ec()).put("crv", "P-192"));
    bad.put("a curve with the wrong alg", ecJwk(ec()).put("alg", "ES512"));
    bad.put("an EC key without y", ecJwk(ec()).put("y", (String) null));
    List<String> survivors = new ArrayList<>();
    int i = 0;
    for (Map.Entry<String, JsonObject> c : bad.entrySet()) {
      // The bad key comes after a good one: a JWKS is refused whole, not filtered.
      Path file = Files.writeString(dir.resolve("jwks" + i++ + ".json"),
          new JsonObject().put("keys", new JsonArray().add(good).add(c.getValue())).encode());
      try {
        NodeConfig.fromEnv(jwksEnv(file));
        survivors.add(c.getKey());
      } catch (ConfigException refused) {
        assertThat(refused.getMessage()).as(c.getKey()).contains("AUTH_JWKS_FILE", "key 1");
      }
    }
    assertThat(survivors).as("JWKS files the node would have started with").isEmpty();
    // The good key alone, and an EC key with its alg implied by the curve, are fine.
    Path fine = Files.writeString(dir.resolve("fine.json"),
        new JsonObject().put("keys", new JsonArray().add(good).add(ecJwk(ec()))).encode());
    assertThat(NodeConfig.fromEnv(jwksEnv(fine)).auth().enabled()).isTrue();
  }

  @Test
  void aJwksWithoutKeysOrNotAJwksStopsTheNode(@TempDir Path dir) throws Exception {
    Map<String, String> files = Map.of("empty.json", "{\"keys\":[]}", "nokeys.json", "{}", "notjson.json", "keys",
        "array.json", "[]", "notobjects.json", "{\"keys\":[1]}");
    for (Map.Entry<String, String> f : files.entrySet()) {
      Path file = Files.writeString(dir.resolve(f.getKey()), f.getValue());
      assertThatThrownBy(() -> NodeConfig.fromEnv(jwksEnv(file))).as(f.getKey())
          .isInstanceOf(ConfigException.class).hasMessageContaining("AUTH_JWKS_FILE");
    }
    assertThatThrownBy(() -> NodeConfig.fromEnv(jwksEnv(dir.resolve("missing.json"))))
        .hasMessageContaining("cannot read");
  }

  @Test
  void aPemFileMustHoldOnePublicKey(@TempDir Path dir) throws Exception {
    KeyPair rsa = rsa();
    String good = pem("PUBLIC KEY", rsa.getPublic().getEncoded());
    Map<String, String> bad = Map.of(
        "truncated", good.substring(0, good.length() / 2),
        "bad base64", good.replaceFirst("\n", "\n%%"),
        "a private key", pem("PRIVATE KEY", rsa.getPrivate().getEncoded()),
        "garbage inside", pem("PUBLIC KEY", "not a key at all".getBytes()),
        "empty", "");
    for (Map.Entry<String, String> c : bad.entrySet()) {
      Path file = Files.writeString(dir.resolve(c.getKey().replace(' ', '-') + ".pem"), c.getValue());
      assertThatThrownBy(() -> NodeConfig.fromEnv(Map.of("AUTH_JWT_PUBLIC_KEY_FILE", file.toString(), "API_KEY", API_KEY)))
          .as(c.getKey()).isInstanceOf(ConfigException.class).hasMessageContaining("AUTH_JWT_PUBLIC_KEY_FILE");
    }
    Path fine = Files.writeString(dir.resolve("fine.pem"), good);
    assertThat(NodeConfig.fromEnv(Map.of("AUTH_JWT_PUBLIC_KEY_FILE", fine.toString(), "API_KEY", API_KEY)).auth()
        .enabled()).isTrue();
  }

  @Test
  void shortSecretsAndApiKeysStopTheNodeWithAClearMessage() {
    assertThatThrownBy(() -> NodeConfig.fromEnv(Map.of("AUTH_JWT_SECRET", "x".repeat(31), "API_KEY", API_KEY)))
        .hasMessageContaining("AUTH_JWT_SECRET must be at least 32 bytes");
    assertThatThrownBy(() -> NodeConfig.fromEnv(Map.of("AUTH_JWT_SECRET", "x".repeat(32), "API_KEY", "k".repeat(31))))
        .hasMessageContaining("API_KEY must be at least 32 characters");
    assertThat(NodeConfig.fromEnv(Map.of("AUTH_JWT_SECRET", "x".repeat(32), "API_KEY", "k".repeat(32))).auth().enabled())
        .isTrue();
  }

  @Test
  void aNodeGivenAnUnusableKeyDoesNotStart(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("enc.json"),
        new JsonObject().put("keys", new JsonArray().add(rsaJwk(rsa()).put("use", "enc"))).encode());
    Map<String, String> env = new LinkedHashMap<>(jwksEnv(file));
    env.put("AUTH_DISABLED", "false");
    assertThatThrownBy(() -> TestNode.start(env).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS))
        .isInstanceOf(ConfigException.class).hasMessageContaining("\"use\":\"enc\"");
  }

  private static byte[] unsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    return bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
  }

  private static byte[] fixed(BigInteger value, int length) {
    byte[] bytes = unsigned(value);
    byte[] out = new byte[length];
    System.arraycopy(bytes, 0, out, length - bytes.length, bytes.length);
    return out;
  }
}
