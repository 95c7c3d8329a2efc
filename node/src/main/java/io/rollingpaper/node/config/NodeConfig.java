package io.rollingpaper.node.config;

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
    Optional<String> redisUrl,
    int redisPoolSize,
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
    Duration drainTimeout) {

  /** A config for tests and embedding: in-memory, an ephemeral port, default limits. */
  public static NodeConfig defaults() {
    return fromEnv(Map.of("PORT", "0"));
  }

  public static NodeConfig fromEnv(Map<String, String> env) {
    EnvReader r = new EnvReader(env);
    NodeConfig config = new NodeConfig(
        r.string("HOST", "0.0.0.0"),
        r.integer("PORT", 8080, 0, 65535),
        r.string("NODE_ID", defaultNodeId()),
        r.optional("REDIS_URL"),
        r.integer("REDIS_POOL_SIZE", 16, 1, 1024),
        new Limits(
            r.integer("MAX_FRAME_BYTES", 65536, 1024, 16 * 1024 * 1024),
            r.integer("MAX_NOTE_BYTES", 16384, 64, 8 * 1024 * 1024),
            r.integer("MAX_NOTES_PER_PAPER", 1000, 1, 1_000_000),
            r.integer("MAX_SIGNAL_BYTES", 1024, 16, 1024 * 1024),
            r.integer("HISTORY_SIZE", 1000, 1, 10_000_000)),
        r.duration("COMPLETED_TTL", Duration.ofDays(7)),
        r.duration("PRESENCE_TTL", Duration.ofSeconds(30)),
        r.duration("PAPER_CHECK_INTERVAL", Duration.ofSeconds(10)),
        r.duration("UNSUBSCRIBE_LINGER", Duration.ofSeconds(5)),
        r.integer("SEND_QUEUE_SOFT_BYTES", 256 * 1024, 1024, Integer.MAX_VALUE),
        r.integer("SEND_QUEUE_MAX_BYTES", 4 * 1024 * 1024, 1024, Integer.MAX_VALUE),
        r.integer("BAD_FRAME_LIMIT", 10, 1, 1_000_000),
        r.duration("DRAIN_READY_DELAY", Duration.ofSeconds(5)),
        r.duration("DRAIN_CLOSE_WINDOW", Duration.ofSeconds(3)),
        r.duration("DRAIN_TIMEOUT", Duration.ofSeconds(10)));
    List<String> problems = new ArrayList<>(r.problems());
    if (config.sendQueueMaxBytes() < config.sendQueueSoftBytes()) {
      problems.add("SEND_QUEUE_MAX_BYTES must be at least SEND_QUEUE_SOFT_BYTES");
    }
    if (config.limits().maxNoteBytes() > config.limits().maxFrameBytes()) {
      problems.add("MAX_NOTE_BYTES must not exceed MAX_FRAME_BYTES");
    }
    if (config.paperCheckInterval().compareTo(config.presenceTtl()) >= 0) {
      problems.add("PAPER_CHECK_INTERVAL must be shorter than PRESENCE_TTL (presence is refreshed on that tick)");
    }
    if (config.redisUrl().isPresent() && !config.redisUrl().get().matches("^(redis|rediss|unix)://.*")) {
      problems.add("REDIS_URL must start with redis://, rediss:// or unix:// (got a value of another form)");
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return config;
  }

  public NodeConfig withPort(int newPort) {
    return new NodeConfig(host, newPort, nodeId, redisUrl, redisPoolSize, limits, completedTtl, presenceTtl,
        paperCheckInterval, unsubscribeLinger, sendQueueSoftBytes, sendQueueMaxBytes, badFrameLimit,
        drainReadyDelay, drainCloseWindow, drainTimeout);
  }

  private static String defaultNodeId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "node";
    }
    return host + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
