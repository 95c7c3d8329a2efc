package io.rollingpaper.node.backend;

import io.rollingpaper.node.support.RedisTopology;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

/** The store rules on a Redis master with a replica that every op waits for (WAIT 1). */
class ReplicatedRedisStoreContractTest extends PaperStoreContract {
  @RegisterExtension
  static final RedisTopology REDIS = RedisTopology.replicated();

  @Override
  Map<String, String> backendEnv() {
    return REDIS.env();
  }
}
