package io.rollingpaper.node.support;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Redis for all tests of one class: {@code @RegisterExtension static final RedisPerClass REDIS = new RedisPerClass();}
 */
public final class RedisPerClass implements BeforeAllCallback, AfterAllCallback {
  private RedisServer server;

  @Override
  public void beforeAll(ExtensionContext context) {
    server = RedisServer.start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    server.close();
  }

  public String url() {
    return server.url();
  }

  public RedisServer server() {
    return server;
  }
}
