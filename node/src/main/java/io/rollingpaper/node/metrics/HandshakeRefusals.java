package io.rollingpaper.node.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** {@code rpl_handshake_refusals_total{reason}}: sockets refused at the handshake, in-band or by HTTP status. */
public final class HandshakeRefusals {
  private final MeterRegistry registry;

  public HandshakeRefusals(MeterRegistry registry) {
    this.registry = registry;
  }

  /** {@code reason}: bad_request, origin, unauthorized, forbidden, not_found, rate_limited, draining. */
  public void refused(String reason) {
    // Micrometer returns the registered counter for a name and tags it has seen.
    Counter.builder("rpl_handshake_refusals_total").tag("reason", reason)
        .description("WebSocket handshakes refused, by reason").register(registry).increment();
  }
}
