package io.rollingpaper.node.support;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A private PostgreSQL for all tests of one class:
 * {@code @RegisterExtension static final PostgresPerClass PG = new PostgresPerClass();}
 * Each {@link #freshDatabase()} is a new empty database, so tests do not see each other's rows.
 */
public final class PostgresPerClass implements BeforeAllCallback, AfterAllCallback {
  private final AtomicInteger databases = new AtomicInteger();
  private PostgresProcess server;

  @Override
  public void beforeAll(ExtensionContext context) {
    server = PostgresProcess.start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    server.close();
  }

  /** The URL of a new empty database (blocking: call from the test thread). */
  public String freshDatabase() {
    return server.createDatabase("t" + databases.incrementAndGet());
  }

  public PostgresProcess server() {
    return server;
  }
}
