package io.rollingpaper.node.paper;

import java.util.Map;

/** Concurrent joins on a single node with the in-memory backend. */
class MemoryConcurrentJoinsTest extends ConcurrentJoinsContract {
  @Override
  Map<String, String> backendEnv() {
    return Map.of();
  }
}
