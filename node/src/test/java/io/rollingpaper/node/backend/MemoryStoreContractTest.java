package io.rollingpaper.node.backend;

import java.util.Map;

class MemoryStoreContractTest extends PaperStoreContract {
  @Override
  Map<String, String> backendEnv() {
    return Map.of();
  }
}
