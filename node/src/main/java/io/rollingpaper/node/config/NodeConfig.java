package io.rollingpaper.node.config;

import io.rollingpaper.protocol.Limits;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Everything a node can be told, read once at start from environment variables, one record per concept,
 * each reading its own variables. {@link #fromEnv(Map)} collects every bad value into one
 * {@link ConfigException} so an operator fixes them all in one go; the README's configuration table
 * mirrors these records.
 */
public record NodeConfig(
    String nodeId,
    Listen listen,
    Optional<RedisSettings> redis,
    AuthSettings auth,
    RateLimits rates,
    UserBudgets userBudgets,
    Limits limits,
    PaperTimings papers,
    SendQueue sendQueue,
    Drain drain,
    WireSettings wire,
    ArchiveSettings archive,
    LifecycleSettings lifecycle,
    DemoSettings demo,
    LogSettings logs,
    WarmupSettings warmup) {
  /** A node id goes into channel messages and logs: no spaces or separators (a space broke signal relay). */
  private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  public static NodeConfig fromEnv(Map<String, String> env) {
    EnvReader r = new EnvReader(env);
    RateLimits rates = RateLimits.read(r);
    NodeConfig config = new NodeConfig(
        r.string("NODE_ID", defaultNodeId()),
        Listen.read(r),
        RedisSettings.read(r),
        AuthSettings.read(r),
        rates,
        UserBudgets.read(r, rates),
        protocolLimits(r),
        PaperTimings.read(r),
        SendQueue.read(r),
        Drain.read(r),
        WireSettings.read(r),
        ArchiveSettings.read(r),
        LifecycleSettings.read(r),
        DemoSettings.read(r),
        LogSettings.from(r),
        WarmupSettings.read(r));
    boolean authDisabled = r.flag("AUTH_DISABLED");
    List<String> problems = new ArrayList<>(r.problems());
    if (config.limits().maxNoteBytes() > config.limits().maxFrameBytes()) {
      problems.add("MAX_NOTE_BYTES must not exceed MAX_FRAME_BYTES");
    }
    if (config.redis().isPresent() && !config.auth().enabled() && !authDisabled) {
      problems.add("a node on Redis serves a cluster: configure AUTH_JWT_SECRET, AUTH_JWT_PUBLIC_KEY_FILE or "
          + "AUTH_JWKS_FILE, or set AUTH_DISABLED=true to run without auth (development only)");
    }
    if (config.redis().isPresent() && config.archive().webhook().isPresent() && !config.archive().enabled()) {
      problems.add("WEBHOOK_URL on Redis needs ARCHIVE_DATABASE_URL: the webhook's durable outbox lives in the "
          + "archive (an in-memory outbox would lose an event with the node that queued it)");
    }
    if (!NODE_ID.matcher(config.nodeId()).matches()) {
      problems.add("NODE_ID must be 1 to 64 characters of [A-Za-z0-9._-] (got '" + config.nodeId() + "')");
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return config;
  }

  /** {@link Limits} is the protocol's record in common, which cannot see {@link EnvReader}: read here. */
  private static Limits protocolLimits(EnvReader r) {
    return new Limits(
        r.integer("MAX_FRAME_BYTES", 65536, 1024, 16 * 1024 * 1024),
        r.integer("MAX_NOTE_BYTES", 16384, 64, 8 * 1024 * 1024),
        r.integer("MAX_NOTES_PER_PAPER", 1000, 1, 1_000_000),
        r.integer("MAX_SIGNAL_BYTES", 1024, 16, 1024 * 1024),
        r.integer("HISTORY_SIZE", 1000, 1, 10_000_000),
        r.integer("MAX_NOTE_FIELDS", Limits.DEFAULT_MAX_NOTE_FIELDS, 1, 1_000_000));
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
