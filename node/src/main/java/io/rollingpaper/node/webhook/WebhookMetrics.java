package io.rollingpaper.node.webhook;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code rpl_webhook_deliveries_total{result=delivered|retry|dead}} and {@code rpl_webhook_backlog}
 * (pending events in the outbox, as last counted by this node's deliverer).
 */
public final class WebhookMetrics {
  private final Counter delivered;
  private final Counter retried;
  private final Counter dead;
  private final AtomicLong backlog = new AtomicLong();

  public WebhookMetrics(MeterRegistry registry) {
    this.delivered = counter(registry, "delivered");
    this.retried = counter(registry, "retry");
    this.dead = counter(registry, "dead");
    Gauge.builder("rpl_webhook_backlog", backlog, AtomicLong::get)
        .description("Webhook events waiting in the outbox (all nodes' events when the outbox is the archive)")
        .register(registry);
  }

  private static Counter counter(MeterRegistry registry, String result) {
    return Counter.builder("rpl_webhook_deliveries_total").tag("result", result)
        .description("Webhook delivery attempts, by result").register(registry);
  }

  void delivered() {
    delivered.increment();
  }

  void retried() {
    retried.increment();
  }

  void dead() {
    dead.increment();
  }

  void backlog(long pending) {
    backlog.set(pending);
  }

  public double count(String result) {
    return switch (result) {
      case "delivered" -> delivered.count();
      case "retry" -> retried.count();
      case "dead" -> dead.count();
      default -> throw new IllegalArgumentException(result);
    };
  }

  public long backlog() {
    return backlog.get();
  }
}
