package io.rollingpaper.node.archive;

import io.micrometer.core.instrument.MeterRegistry;
import io.rollingpaper.node.config.ArchiveSettings;
import io.rollingpaper.node.config.RedisSettings;
import io.rollingpaper.node.webhook.MemoryWebhookOutbox;
import io.rollingpaper.node.webhook.PgWebhookOutbox;
import io.rollingpaper.node.webhook.WebhookDeliverer;
import io.rollingpaper.node.webhook.WebhookMetrics;
import io.rollingpaper.node.webhook.WebhookOutbox;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Optional;

/**
 * What a node builds from {@link ArchiveSettings}: the archive (PostgreSQL, schema migrated before
 * anything uses it), the webhook outbox (in the archive, or in memory for a node without one) and
 * this node's deliverer. Started and stopped by the node, on its event loop.
 */
public final class ArchiveServices {
  private static final Logger LOG = LoggerFactory.getLogger(ArchiveServices.class);

  private final Optional<PaperArchive> archive;
  private final Optional<WebhookOutbox> outbox;
  private final Optional<WebhookDeliverer> deliverer;

  private ArchiveServices(Optional<PaperArchive> archive, Optional<WebhookOutbox> outbox,
                          Optional<WebhookDeliverer> deliverer) {
    this.archive = archive;
    this.outbox = outbox;
    this.deliverer = deliverer;
  }

  /**
   * Connects, migrates and starts delivering. Fails when the database cannot be reached or migrated:
   * a node that was told to archive must not accept completions it cannot keep.
   */
  public static Future<ArchiveServices> start(Vertx vertx, String nodeId, ArchiveSettings settings,
                                              MeterRegistry registry) {
    if (settings.databaseUrl().isEmpty()) {
      LOG.warn("node={} no ARCHIVE_DATABASE_URL: completed papers live only COMPLETED_TTL in the live store, "
          + "idle papers stay there{}", nodeId,
          settings.webhook().isPresent() ? ", and webhook events wait in memory (lost if this node stops)" : "");
      Optional<WebhookOutbox> outbox = settings.webhook().map(w -> new MemoryWebhookOutbox(Clock.systemUTC()));
      return Future.succeededFuture(started(vertx, nodeId, settings, registry, Optional.empty(), outbox));
    }
    String url = settings.databaseUrl().get();
    Pool pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(settings.poolSize()))
        .connectingTo(PgConnectOptions.fromUri(url))
        .using(vertx)
        .build();
    return new SchemaMigrations(pool).migrate().map(version -> {
      LOG.info("node={} archive at {} (schema version {})", nodeId, RedisSettings.redacted(url), version);
      PgWebhookOutbox outbox = new PgWebhookOutbox(pool);
      PaperArchive archive = new PgPaperArchive(pool, outbox, registry);
      return started(vertx, nodeId, settings, registry, Optional.of(archive),
          settings.webhook().map(w -> (WebhookOutbox) outbox));
    }).onFailure(failed -> pool.close());
  }

  private static ArchiveServices started(Vertx vertx, String nodeId, ArchiveSettings settings, MeterRegistry registry,
                                         Optional<PaperArchive> archive, Optional<WebhookOutbox> outbox) {
    Optional<WebhookDeliverer> deliverer = outbox.map(o -> new WebhookDeliverer(vertx, nodeId, o,
        settings.webhook().orElseThrow(), new WebhookMetrics(registry), Clock.systemUTC()));
    deliverer.ifPresent(d -> {
      d.start();
      LOG.info("node={} webhook on: {}", nodeId, settings.webhook().orElseThrow());
    });
    return new ArchiveServices(archive, outbox, deliverer);
  }

  /** The archive; empty without {@code ARCHIVE_DATABASE_URL}. */
  public Optional<PaperArchive> archive() {
    return archive;
  }

  /** Where webhook events go; empty without {@code WEBHOOK_URL}. */
  public Optional<WebhookOutbox> outbox() {
    return outbox;
  }

  /** Call after queuing an event so it is delivered now rather than at the next poll. */
  public void eventQueued() {
    deliverer.ifPresent(WebhookDeliverer::nudge);
  }

  public Future<Void> close() {
    Future<Void> stopped = deliverer.map(WebhookDeliverer::stop).orElse(Future.succeededFuture());
    return stopped.eventually(() -> outbox.map(WebhookOutbox::close).orElse(Future.succeededFuture()))
        .eventually(() -> archive.map(PaperArchive::close).orElse(Future.succeededFuture()));
  }
}
