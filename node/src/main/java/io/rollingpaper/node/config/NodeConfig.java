package io.rollingpaper.node.config;

import io.rollingpaper.node.auth.VerificationKeys;
import io.rollingpaper.protocol.Limits;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Everything a node can be told, read once at start from environment variables.
 * {@link #fromEnv(Map)} collects every bad value into one {@link ConfigException} so an
 * operator fixes them all in one go; the README's configuration table mirrors this class.
 */
public record NodeConfig(
    String host,
    int port,
    String nodeId,
    Optional<RedisSettings> redis,
    AuthSettings auth,
    RateLimits rates,
    Limits limits,
    Duration completedTtl,
    Duration presenceTtl,
    Duration paperCheckInterval,
    Duration unsubscribeLinger,
    int sendQueueSoftBytes,
    int sendQueueMaxBytes,
    int badFrameLimit,
    Duration drainReadyDelay,
    Duration drainCloseWindow,
    Duration drainTimeout,
    ArchiveSettings archive,
    DemoSettings demo,
    LogSettings logs,
    LifecycleSettings lifecycle,
    UserBudgets userBudgets,
    WireSettings wire,
    WarmupSettings warmup) {
  /** A node id goes into channel messages and logs: no spaces or separators (a space broke signal relay). */
  private static final java.util.regex.Pattern NODE_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,64}");

  public static NodeConfig fromEnv(Map<String, String> env) {
    EnvReader r = new EnvReader(env);
    NodeConfig config = new NodeConfig(
        r.string("HOST", "0.0.0.0"),
        r.integer("PORT", 8080, 0, 65535),
        r.string("NODE_ID", defaultNodeId()),
        redis(r),
        new AuthSettings(r.optional("AUTH_JWT_SECRET"), r.optional("AUTH_JWT_PUBLIC_KEY_FILE"),
            r.optional("AUTH_JWKS_FILE"), r.optional("API_KEY"), r.list("ALLOWED_ORIGINS", List.of("*")),
            r.optional("AUTH_JWT_AUDIENCE"), r.optional("AUTH_JWT_ISSUER")),
        new RateLimits(
            r.integer("RATE_OPS_PER_SECOND", 50, 1, 1_000_000), r.integer("RATE_OPS_BURST", 100, 1, 1_000_000),
            r.integer("RATE_SIGNALS_PER_SECOND", 30, 1, 1_000_000), r.integer("RATE_SIGNALS_BURST", 60, 1, 1_000_000),
            r.integer("RATE_LIMIT_CLOSE_AFTER", 100, 1, 1_000_000),
            r.integer("MAX_CONNECTIONS_PER_PAPER", 500, 1, 10_000_000),
            r.integer("MAX_CONNECTIONS_PER_ADDRESS", 200, 1, 10_000_000),
            r.flag("TRUST_FORWARDED_FOR")),
        new Limits(
            r.integer("MAX_FRAME_BYTES", 65536, 1024, 16 * 1024 * 1024),
            r.integer("MAX_NOTE_BYTES", 16384, 64, 8 * 1024 * 1024),
            r.integer("MAX_NOTES_PER_PAPER", 1000, 1, 1_000_000),
            r.integer("MAX_SIGNAL_BYTES", 1024, 16, 1024 * 1024),
            r.integer("HISTORY_SIZE", 1000, 1, 10_000_000),
            r.integer("MAX_NOTE_FIELDS", Limits.DEFAULT_MAX_NOTE_FIELDS, 1, 1_000_000)),
        r.duration("COMPLETED_TTL", Duration.ofDays(7)),
        r.duration("PRESENCE_TTL", Duration.ofSeconds(30)),
        r.duration("PAPER_CHECK_INTERVAL", Duration.ofSeconds(10)),
        r.duration("UNSUBSCRIBE_LINGER", Duration.ofSeconds(5)),
        r.integer("SEND_QUEUE_SOFT_BYTES", 256 * 1024, 1024, Integer.MAX_VALUE),
        r.integer("SEND_QUEUE_MAX_BYTES", 4 * 1024 * 1024, 1024, Integer.MAX_VALUE),
        r.integer("BAD_FRAME_LIMIT", 10, 1, 1_000_000),
        r.duration("DRAIN_READY_DELAY", Duration.ofSeconds(5)),
        r.duration("DRAIN_CLOSE_WINDOW", Duration.ofSeconds(3)),
        r.duration("DRAIN_TIMEOUT", Duration.ofSeconds(10)),
        ArchiveSettings.read(r),
        DemoSettings.read(r),
        LogSettings.from(r),
        LifecycleSettings.read(r),
        userBudgets(r),
        new WireSettings(
            r.duration("HEARTBEAT_INTERVAL", Duration.ofSeconds(25)),
            r.duration("HEARTBEAT_TIMEOUT", Duration.ofSeconds(10)),
            r.duration("HANDSHAKE_TIMEOUT", Duration.ofSeconds(10))),
        WarmupSettings.read(r));
    boolean authDisabled = r.flag("AUTH_DISABLED");
    // Distinct: the per-user budgets read the per-connection rates again for their defaults.
    List<String> problems = new ArrayList<>(new java.util.LinkedHashSet<>(r.problems()));
    if (config.sendQueueMaxBytes() < config.sendQueueSoftBytes()) {
      problems.add("SEND_QUEUE_MAX_BYTES must be at least SEND_QUEUE_SOFT_BYTES");
    }
    if (config.limits().maxNoteBytes() > config.limits().maxFrameBytes()) {
      problems.add("MAX_NOTE_BYTES must not exceed MAX_FRAME_BYTES");
    }
    if (config.paperCheckInterval().compareTo(config.presenceTtl()) >= 0) {
      problems.add("PAPER_CHECK_INTERVAL must be shorter than PRESENCE_TTL (presence is refreshed on that tick)");
    }
    if (config.wire().heartbeatInterval().isZero() || config.wire().heartbeatTimeout().isZero()
        || config.wire().handshakeTimeout().isZero()) {
      problems.add("HEARTBEAT_INTERVAL, HEARTBEAT_TIMEOUT and HANDSHAKE_TIMEOUT must be longer than zero");
    }
    if (config.redis().isPresent() && !config.auth().enabled() && !authDisabled) {
      problems.add("a node on Redis serves a cluster: configure AUTH_JWT_SECRET, AUTH_JWT_PUBLIC_KEY_FILE or "
          + "AUTH_JWKS_FILE, or set AUTH_DISABLED=true to run without auth (development only)");
    }
    if (config.auth().enabled() && config.auth().apiKey().isEmpty()) {
      problems.add("auth is on but the HTTP API would be open: set API_KEY");
    }
    if (config.redis().isPresent() && config.archive().webhook().isPresent() && !config.archive().enabled()) {
      problems.add("WEBHOOK_URL on Redis needs ARCHIVE_DATABASE_URL: the webhook's durable outbox lives in the "
          + "archive (an in-memory outbox would lose an event with the node that queued it)");
    }
    if (!NODE_ID.matcher(config.nodeId()).matches()) {
      problems.add("NODE_ID must be 1 to 64 characters of [A-Za-z0-9._-] (got '" + config.nodeId() + "')");
    }
    config.auth().apiKey().filter(key -> key.length() < AuthSettings.MIN_API_KEY_LENGTH).ifPresent(key ->
        problems.add("API_KEY must be at least " + AuthSettings.MIN_API_KEY_LENGTH + " characters"));
    if (config.auth().enabled()) {
      try {
        VerificationKeys.load(config.auth());
      } catch (ConfigException unusable) {
        problems.addAll(unusable.problems());
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return config;
  }

  /** Per user and node; the defaults are twice the per-connection rates, so two tabs work at full speed. */
  private static UserBudgets userBudgets(EnvReader r) {
    int ops = r.integer("RATE_OPS_PER_SECOND", 50, 1, 1_000_000);
    int opsBurst = r.integer("RATE_OPS_BURST", 100, 1, 1_000_000);
    int signals = r.integer("RATE_SIGNALS_PER_SECOND", 30, 1, 1_000_000);
    int signalsBurst = r.integer("RATE_SIGNALS_BURST", 60, 1, 1_000_000);
    return new UserBudgets(
        r.integer("RATE_USER_OPS_PER_SECOND", Math.min(2 * ops, 2_000_000), 1, 2_000_000),
        r.integer("RATE_USER_OPS_BURST", Math.min(2 * opsBurst, 2_000_000), 1, 2_000_000),
        r.integer("RATE_USER_SIGNALS_PER_SECOND", Math.min(2 * signals, 2_000_000), 1, 2_000_000),
        r.integer("RATE_USER_SIGNALS_BURST", Math.min(2 * signalsBurst, 2_000_000), 1, 2_000_000),
        r.integer("MAX_CONNECTIONS_PER_USER", 50, 1, 10_000_000));
  }

  private static Optional<RedisSettings> redis(EnvReader r) {
    Optional<String> url = r.optional("REDIS_URL");
    List<String> sentinels = r.list("REDIS_SENTINELS", List.of());
    List<String> cluster = r.list("REDIS_CLUSTER_NODES", List.of());
    int configured = (url.isPresent() ? 1 : 0) + (sentinels.isEmpty() ? 0 : 1) + (cluster.isEmpty() ? 0 : 1);
    if (configured == 0) {
      return Optional.empty();
    }
    if (configured > 1) {
      r.problem("set only one of REDIS_URL, REDIS_SENTINELS and REDIS_CLUSTER_NODES");
    }
    RedisSettings.Mode mode = !sentinels.isEmpty() ? RedisSettings.Mode.SENTINEL
        : !cluster.isEmpty() ? RedisSettings.Mode.CLUSTER : RedisSettings.Mode.STANDALONE;
    List<String> urls = url.map(List::of).orElse(cluster);
    List<String> sentinelUrls = sentinels.stream().map(s -> s.contains("://") ? s : "redis://" + s).toList();
    for (String u : urls) {
      if (!u.matches("^(redis|rediss|unix)://.+")) {
        r.problem("Redis URLs must start with redis://, rediss:// or unix:// (got '" + RedisSettings.redacted(u) + "')");
      }
    }
    Optional<String> masterName = r.optional("REDIS_MASTER_NAME");
    if (mode == RedisSettings.Mode.SENTINEL && masterName.isEmpty()) {
      r.problem("REDIS_SENTINELS needs REDIS_MASTER_NAME");
    }
    return Optional.of(new RedisSettings(mode, urls, sentinelUrls, masterName,
        r.integer("REDIS_POOL_SIZE", 16, 1, 1024),
        r.integer("REDIS_WAIT_REPLICAS", mode == RedisSettings.Mode.SENTINEL ? 1 : 0, 0, 16),
        r.duration("REDIS_WAIT_TIMEOUT", Duration.ofMillis(500)),
        r.duration("SUBSCRIPTION_PROBE_INTERVAL", Duration.ofSeconds(3))));
  }

  private static String defaultNodeId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "node";
    }
    // Host names may hold characters a node id may not (and may be long): keep the safe part.
    String safe = host.replaceAll("[^A-Za-z0-9._-]", "-");
    return (safe.length() > 40 ? safe.substring(0, 40) : safe) + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
