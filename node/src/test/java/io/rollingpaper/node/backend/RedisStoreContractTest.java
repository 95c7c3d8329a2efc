package io.rollingpaper.node.backend;

import io.rollingpaper.node.support.RedisPerClass;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

class RedisStoreContractTest extends PaperStoreContract {
  @RegisterExtension
  static final RedisPerClass REDIS = new RedisPerClass();

  @Override
  Map<String, String> backendEnv() {
    return Map.of("REDIS_URL", REDIS.url());
  }
}
