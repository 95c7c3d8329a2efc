package io.rollingpaper.node;

import io.rollingpaper.node.support.RedisTopology;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

/** The protocol on a node whose Redis has a replica that every op waits for (WAIT 1) before it is acknowledged. */
class ReplicatedRedisProtocolTest extends ProtocolContract {
  @RegisterExtension
  static final RedisTopology REDIS = RedisTopology.replicated();

  @Override
  Map<String, String> backendEnv() {
    return REDIS.env();
  }
}
