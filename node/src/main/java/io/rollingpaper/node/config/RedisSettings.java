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
}
