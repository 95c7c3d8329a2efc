package io.rollingpaper.node.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How to reach Redis.
 *
 * @param mode            standalone (a URL), sentinel (sentinel addresses and a master name) or cluster (seed URLs)
 * @param urls            the URL, or the Redis Cluster seed URLs; empty in sentinel mode
 * @param sentinels       sentinel addresses as {@code redis://host:port}; empty unless sentinel mode
 * @param masterName      the Sentinel master name
 * @param waitReplicas    an op is acknowledged only after this many replicas have it (WAIT); 0 to not wait
 * @param waitTimeout     how long WAIT may take before the op is answered {@code unavailable}
 * @param probeInterval   how often a node checks that its own subscription still delivers
 */
public record RedisSettings(Mode mode, List<String> urls, List<String> sentinels, Optional<String> masterName,
                            int poolSize, int waitReplicas, Duration waitTimeout, Duration probeInterval) {

  public enum Mode { STANDALONE, SENTINEL, CLUSTER }

  /** Where it connects, for logs (no passwords). */
  public String describe() {
    return switch (mode) {
      case STANDALONE -> "Redis at " + redacted(urls.get(0));
      case SENTINEL -> "Redis Sentinel master '" + masterName.orElse("") + "' via " + sentinels.size() + " sentinels";
      case CLUSTER -> "Redis Cluster via " + urls.size() + " seed nodes";
    };
  }

  public static String redacted(String url) {
    return url.replaceAll("//([^:@/]*):[^@/]*@", "//$1:***@");
  }

  /** Empty when none of REDIS_URL, REDIS_SENTINELS and REDIS_CLUSTER_NODES is set: one node, in memory. */
  static Optional<RedisSettings> read(EnvReader r) {
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
    Mode mode = !sentinels.isEmpty() ? Mode.SENTINEL : !cluster.isEmpty() ? Mode.CLUSTER : Mode.STANDALONE;
    List<String> urls = url.map(List::of).orElse(cluster);
    List<String> sentinelUrls = sentinels.stream().map(s -> s.contains("://") ? s : "redis://" + s).toList();
    for (String u : urls) {
      if (!u.matches("^(redis|rediss|unix)://.+")) {
        r.problem("Redis URLs must start with redis://, rediss:// or unix:// (got '" + redacted(u) + "')");
      }
    }
    Optional<String> masterName = r.optional("REDIS_MASTER_NAME");
    if (mode == Mode.SENTINEL && masterName.isEmpty()) {
      r.problem("REDIS_SENTINELS needs REDIS_MASTER_NAME");
    }
    return Optional.of(new RedisSettings(mode, urls, sentinelUrls, masterName,
        r.integer("REDIS_POOL_SIZE", 16, 1, 1024),
        r.integer("REDIS_WAIT_REPLICAS", mode == Mode.SENTINEL ? 1 : 0, 0, 16),
        r.duration("REDIS_WAIT_TIMEOUT", Duration.ofMillis(500)),
        r.duration("SUBSCRIPTION_PROBE_INTERVAL", Duration.ofSeconds(3))));
  }
}
