package io.rollingpaper.node.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArchiveSettingsTest {
  static final String SECRET = "0123456789abcdef0123456789abcdef";

  @Test
  void withoutAnArchiveOrAWebhookNothingIsConfigured() {
    ArchiveSettings archive = NodeConfig.fromEnv(Map.of()).archive();
    assertThat(archive.enabled()).isFalse();
    assertThat(archive.webhook()).isEmpty();
  }

  @Test
  void anArchiveAndAWebhookAreReadWithTheirDefaults() {
    ArchiveSettings archive = NodeConfig.fromEnv(Map.of("ARCHIVE_DATABASE_URL", "postgresql://u:p@db:5432/rpl",
        "WEBHOOK_URL", "https://backend.example/hooks/paper", "WEBHOOK_SECRET", SECRET)).archive();
    assertThat(archive.databaseUrl()).contains("postgresql://u:p@db:5432/rpl");
    assertThat(archive.poolSize()).isEqualTo(4);
    WebhookSettings webhook = archive.webhook().orElseThrow();
    assertThat(webhook.maxAttempts()).isEqualTo(15);
    assertThat(webhook.maxAge()).isEqualTo(Duration.ofDays(3));
    assertThat(webhook.lease()).isGreaterThan(webhook.timeout());
  }

  @Test
  void aWebhookNeedsASecretOfAtLeast32Bytes() {
    assertThatThrownBy(() -> NodeConfig.fromEnv(Map.of("WEBHOOK_URL", "http://h/x")))
        .hasMessageContaining("WEBHOOK_URL needs WEBHOOK_SECRET");
    assertThatThrownBy(() -> NodeConfig.fromEnv(Map.of("WEBHOOK_URL", "http://h/x", "WEBHOOK_SECRET", "short")))
        .hasMessageContaining("at least 32 bytes");
    assertThatThrownBy(() -> NodeConfig.fromEnv(Map.of("WEBHOOK_SECRET", SECRET)))
        .hasMessageContaining("WEBHOOK_URL is not");
  }

  @Test
  void aNodeOnRedisWithAWebhookNeedsTheArchiveForItsOutbox() {
    Map<String, String> onRedis = Map.of("REDIS_URL", "redis://r:6379", "AUTH_DISABLED", "true",
        "WEBHOOK_URL", "http://h/x", "WEBHOOK_SECRET", SECRET);
    assertThatThrownBy(() -> NodeConfig.fromEnv(onRedis)).hasMessageContaining("needs ARCHIVE_DATABASE_URL");

    assertThat(NodeConfig.fromEnv(Map.of("WEBHOOK_URL", "http://h/x", "WEBHOOK_SECRET", SECRET)).archive().webhook())
        .as("in memory mode (one dev node) the in-memory outbox is allowed").isPresent();
  }

  @Test
  void badValuesAreReportedTogetherWithoutLeakingSecrets() {
    assertThatThrownBy(() -> NodeConfig.fromEnv(Map.of("ARCHIVE_DATABASE_URL", "mysql://u:hunter2@db/x",
        "WEBHOOK_URL", "ftp://h/x", "WEBHOOK_SECRET", SECRET, "WEBHOOK_MAX_ATTEMPTS", "0")))
        .hasMessageContaining("ARCHIVE_DATABASE_URL must look like postgresql://")
        .hasMessageContaining("WEBHOOK_URL must be an http")
        .hasMessageContaining("WEBHOOK_MAX_ATTEMPTS must be between")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    ArchiveSettings archive = NodeConfig.fromEnv(Map.of("ARCHIVE_DATABASE_URL", "postgresql://u:hunter2@db:5432/rpl",
        "WEBHOOK_URL", "http://h/x", "WEBHOOK_SECRET", SECRET)).archive();
    assertThat(archive.toString()).doesNotContain("hunter2", SECRET);
  }
}
