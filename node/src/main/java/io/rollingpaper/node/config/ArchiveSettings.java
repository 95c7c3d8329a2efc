package io.rollingpaper.node.config;

import java.util.Optional;

/**
 * The PostgreSQL archive and the completion webhook (issue 11).
 *
 * @param databaseUrl {@code postgresql://user:pass@host:port/db}; empty: no archive, completed papers
 *                    live only {@code COMPLETED_TTL} in the live store
 * @param poolSize    connections per node to the archive
 * @param webhook     the completion webhook; empty when {@code WEBHOOK_URL} is not set
 */
public record ArchiveSettings(Optional<String> databaseUrl, int poolSize, Optional<WebhookSettings> webhook) {

  public boolean enabled() {
    return databaseUrl.isPresent();
  }

  @Override
  public String toString() {
    return "ArchiveSettings[databaseUrl=" + databaseUrl.map(RedisSettings::redacted).orElse("none")
        + ", poolSize=" + poolSize + ", webhook=" + webhook.map(WebhookSettings::toString).orElse("none") + "]";
  }

  static ArchiveSettings read(EnvReader r) {
    Optional<String> url = r.optional("ARCHIVE_DATABASE_URL");
    url.ifPresent(u -> {
      if (!u.matches("^postgres(ql)?://[^/]+/[^/?]+(\\?.*)?$")) {
        r.problem("ARCHIVE_DATABASE_URL must look like postgresql://user:pass@host:port/db (got '"
            + RedisSettings.redacted(u) + "')");
      }
    });
    int poolSize = r.integer("ARCHIVE_POOL_SIZE", 4, 1, 256);
    Optional<WebhookSettings> webhook = WebhookSettings.read(r);
    return new ArchiveSettings(url, poolSize, webhook);
  }
}
