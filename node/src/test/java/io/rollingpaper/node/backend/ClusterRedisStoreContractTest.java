package io.rollingpaper.node.backend;

import io.rollingpaper.node.support.RedisTopology;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

/** The store rules on a Redis Cluster of three masters (sharded pub/sub). */
class ClusterRedisStoreContractTest extends PaperStoreContract {
  @RegisterExtension
  static final RedisTopology REDIS = RedisTopology.cluster();

  @Override
  Map<String, String> backendEnv() {
    return REDIS.env();
  }
}
