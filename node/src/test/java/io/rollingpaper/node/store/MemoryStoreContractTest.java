package io.rollingpaper.node.store;

import java.util.Map;

class MemoryStoreContractTest extends PaperStoreContract {
  @Override
  Map<String, String> backendEnv() {
    return Map.of();
  }
}
