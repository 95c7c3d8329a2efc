package io.rollingpaper.node.paper;

import io.rollingpaper.node.support.RedisPerClass;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

/** Concurrent joins on a single node backed by a real Redis. */
class RedisConcurrentJoinsTest extends ConcurrentJoinsContract {
  @RegisterExtension
  static final RedisPerClass REDIS = new RedisPerClass();

  @Override
  Map<String, String> backendEnv() {
    return Map.of("REDIS_URL", REDIS.url());
  }
}
