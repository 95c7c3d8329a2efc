package io.rollingpaper.node;

import io.rollingpaper.node.support.RedisPerClass;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

/** The protocol on a single node backed by a real Redis. */
class RedisProtocolTest extends ProtocolContract {
  @RegisterExtension
  static final RedisPerClass REDIS = new RedisPerClass();

  @Override
  Map<String, String> backendEnv() {
    return Map.of("REDIS_URL", REDIS.url());
  }
}
