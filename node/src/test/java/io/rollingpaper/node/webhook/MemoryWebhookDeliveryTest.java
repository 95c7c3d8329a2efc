package io.rollingpaper.node.webhook;

import org.junit.jupiter.api.BeforeEach;

import java.time.Clock;

class MemoryWebhookDeliveryTest extends WebhookDeliveryContract {
  private MemoryWebhookOutbox outbox;

  @BeforeEach
  void outbox() {
    outbox = new MemoryWebhookOutbox(Clock.systemUTC());
  }

  /** One process: every "node" shares the one outbox. */
  @Override
  WebhookOutbox nodeOutbox() {
    return outbox;
  }
}
