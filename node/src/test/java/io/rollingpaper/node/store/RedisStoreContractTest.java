package io.rollingpaper.node.store;

import io.rollingpaper.node.support.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.Map;

class RedisStoreContractTest extends PaperStoreContract {
  static RedisServer redis;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @Override
  Map<String, String> backendEnv() {
    return Map.of("REDIS_URL", redis.url());
  }
}
