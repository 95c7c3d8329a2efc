package io.rollingpaper.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollingpaper.deploy.support.Chart;
import io.rollingpaper.deploy.support.Rendered;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Authentication: on by default, secrets by reference or generated once. */
class ChartAuthTest {
  static final String AUTH_SECRET = Chart.FULLNAME + "-auth";

  @Test
  void onByDefaultWithJwtSecretAndApiKeyFromTheGeneratedSecret() {
    Rendered r = Chart.template();
    JsonNode jwt = r.nodeEnv().get("AUTH_JWT_SECRET").at("/valueFrom/secretKeyRef");
    assertThat(jwt.path("name").asText()).isEqualTo(AUTH_SECRET);
    assertThat(jwt.path("key").asText()).isEqualTo("jwt-secret");
    JsonNode api = r.nodeEnv().get("API_KEY").at("/valueFrom/secretKeyRef");
    assertThat(api.path("name").asText()).isEqualTo(AUTH_SECRET);
    assertThat(api.path("key").asText()).isEqualTo("api-key");
    assertThat(r.nodeEnv()).doesNotContainKey("AUTH_JWT_PUBLIC_KEY_FILE");
  }

  @Test
  void generatedSecretIsAPreInstallHookKeptAcrossUpgradesAndUninstall() {
    // The hook annotations are renamed in a copy of the chart so helm-java's template shows the Secret.
    JsonNode secret = Chart.templateWithHooksAsManifests("").get("Secret", AUTH_SECRET);
    JsonNode annotations = secret.at("/metadata/annotations");
    assertThat(annotations.path("test.rolling-paper.io/hook").asText()).isEqualTo("pre-install");
    assertThat(annotations.path("helm.sh/resource-policy").asText()).isEqualTo("keep");
    String jwt = decode(secret.at("/data/jwt-secret").asText());
    String apiKey = decode(secret.at("/data/api-key").asText());
    assertThat(jwt).matches("[A-Za-z0-9]{64}");
    assertThat(apiKey).matches("[A-Za-z0-9]{48}");
    // The real chart renders it as a hook: not part of the release manifest.
    assertThat(Chart.template().find("Secret", AUTH_SECRET)).isEmpty();
  }

  @Test
  void existingSecretsAreReferencedAndNothingIsGenerated() {
    Rendered r = Chart.template(ChartVariants.AUTH_EXISTING_SECRETS);
    JsonNode jwt = r.nodeEnv().get("AUTH_JWT_SECRET").at("/valueFrom/secretKeyRef");
    assertThat(jwt.path("name").asText()).isEqualTo("backend-jwt");
    assertThat(jwt.path("key").asText()).isEqualTo("hs256");
    JsonNode api = r.nodeEnv().get("API_KEY").at("/valueFrom/secretKeyRef");
    assertThat(api.path("name").asText()).isEqualTo("backend-api");
    assertThat(api.path("key").asText()).isEqualTo("token");
    assertThat(r.nodeEnvValues()).containsEntry("ALLOWED_ORIGINS", "https://boards.example.com,https://www.example.com");
    assertThat(Chart.templateWithHooksAsManifests(ChartVariants.AUTH_EXISTING_SECRETS).find("Secret", AUTH_SECRET))
        .isEmpty();
  }

  @Test
  void rs256MountsThePublicKeyReadOnlyAndPointsTheNodeAtTheFile() {
    Rendered r = Chart.template(ChartVariants.AUTH_RS256);
    assertThat(r.nodeEnvValues()).containsEntry("AUTH_JWT_PUBLIC_KEY_FILE", "/etc/rolling-paper/jwt/jwt.pem");
    assertThat(r.nodeEnv()).doesNotContainKey("AUTH_JWT_SECRET");
    JsonNode mount = ChartNodeDeploymentTest.find(r.nodeContainer().path("volumeMounts"), "jwt-public-key");
    assertThat(mount.path("mountPath").asText()).isEqualTo("/etc/rolling-paper/jwt");
    assertThat(mount.path("readOnly").asBoolean()).isTrue();
    JsonNode volume = ChartNodeDeploymentTest.find(
        r.nodeDeployment().at("/spec/template/spec/volumes"), "jwt-public-key");
    assertThat(volume.at("/secret/secretName").asText()).isEqualTo("backend-jwt-public");
    assertThat(volume.at("/secret/items/0/key").asText()).isEqualTo("jwt.pem");
  }

  @Test
  void authOnNeverDisablesItAndNodesTrustTheBalancersForwardedFor() {
    Rendered r = Chart.template(ChartVariants.DEFAULTS);
    assertThat(r.nodeEnv()).doesNotContainKey("AUTH_DISABLED");
    assertThat(r.nodeEnvValues()).containsEntry("TRUST_FORWARDED_FOR", "true");
  }

  @Test
  void rs256WithoutAPublicKeySecretIsRefused() {
    String error = Chart.templateError("auth: {jwt: {algorithm: ES256}}");
    assertThat(error).contains("auth.jwt.algorithm=ES256 needs auth.jwt.publicKey.existingSecret");
  }

  @Test
  void authOffPassesNoCredentialsAndSaysSoExplicitly() {
    Rendered r = Chart.template(ChartVariants.AUTH_OFF);
    assertThat(r.nodeEnv()).doesNotContainKeys("AUTH_JWT_SECRET", "AUTH_JWT_PUBLIC_KEY_FILE", "API_KEY");
    // A node on Redis refuses to start without auth unless told so.
    assertThat(r.nodeEnvValues()).containsEntry("AUTH_DISABLED", "true");
    assertThat(Chart.templateWithHooksAsManifests(ChartVariants.AUTH_OFF).find("Secret", AUTH_SECRET)).isEmpty();
  }

  static String decode(String b64) {
    return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
  }
}
