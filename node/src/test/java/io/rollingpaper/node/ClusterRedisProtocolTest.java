package io.rollingpaper.node;

import io.rollingpaper.node.support.RedisTopology;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

/** The protocol on a node in Redis Cluster mode: three masters, sharded pub/sub. */
class ClusterRedisProtocolTest extends ProtocolContract {
  @RegisterExtension
  static final RedisTopology REDIS = RedisTopology.cluster();

  @Override
  Map<String, String> backendEnv() {
    return REDIS.env();
  }
}
