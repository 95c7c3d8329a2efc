package io.rollingpaper.node;

import java.util.Map;

/** The protocol on a single node with the in-memory default backend. */
class MemoryProtocolTest extends ProtocolContract {
  @Override
  Map<String, String> backendEnv() {
    return Map.of();
  }
}
