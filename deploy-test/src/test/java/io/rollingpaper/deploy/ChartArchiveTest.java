package io.rollingpaper.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollingpaper.deploy.support.Chart;
import io.rollingpaper.deploy.support.Rendered;
import org.junit.jupiter.api.Test;

/** The archive (PostgreSQL URL from a Secret) and the completion webhook (URL, signing secret from a Secret). */
class ChartArchiveTest {
  static final String ARCHIVE_AND_WEBHOOK = """
      archive:
        enabled: true
        existingSecret: boards-db
        existingSecretKey: url
        poolSize: 8
      webhook:
        enabled: true
        url: https://backend.example.com/hooks/papers
        existingSecret: boards-webhook
        maxAttempts: 20
        maxAge: 2d
      """;

  @Test
  void offByDefault() {
    Rendered r = Chart.template();
    assertThat(r.nodeEnv()).doesNotContainKeys("ARCHIVE_DATABASE_URL", "WEBHOOK_URL", "WEBHOOK_SECRET");
  }

  @Test
  void theDatabaseUrlAndTheSigningSecretComeFromSecrets() {
    Rendered r = Chart.template(ARCHIVE_AND_WEBHOOK);
    JsonNode db = r.nodeEnv().get("ARCHIVE_DATABASE_URL").at("/valueFrom/secretKeyRef");
    assertThat(db.path("name").asText()).isEqualTo("boards-db");
    assertThat(db.path("key").asText()).isEqualTo("url");
    JsonNode secret = r.nodeEnv().get("WEBHOOK_SECRET").at("/valueFrom/secretKeyRef");
    assertThat(secret.path("name").asText()).isEqualTo("boards-webhook");
    assertThat(secret.path("key").asText()).isEqualTo("webhook-secret");
    assertThat(r.nodeEnvValues())
        .containsEntry("ARCHIVE_POOL_SIZE", "8")
        .containsEntry("WEBHOOK_URL", "https://backend.example.com/hooks/papers")
        .containsEntry("WEBHOOK_MAX_ATTEMPTS", "20")
        .containsEntry("WEBHOOK_MAX_AGE", "2d");
  }

  @Test
  void anArchiveWithoutItsSecretIsRefused() {
    assertThat(Chart.templateError("archive: {enabled: true}")).contains("archive.existingSecret");
  }

  @Test
  void aWebhookNeedsTheArchiveAUrlAndASecret() {
    assertThat(Chart.templateError("webhook: {enabled: true, url: 'https://b/h', existingSecret: s}"))
        .contains("needs archive.enabled");
    assertThat(Chart.templateError("archive: {enabled: true, existingSecret: db}\nwebhook: {enabled: true, existingSecret: s}"))
        .contains("webhook.url");
    assertThat(Chart.templateError("archive: {enabled: true, existingSecret: db}\nwebhook: {enabled: true, url: 'https://b/h'}"))
        .contains("webhook.existingSecret");
  }

  @Test
  void theChartsArchiveSettingsCannotBeOverriddenThroughConfig() {
    assertThat(Chart.templateError("config: {WEBHOOK_SECRET: plain-text}")).contains("config.WEBHOOK_SECRET");
  }
}
