package io.rollingpaper.node.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.rollingpaper.protocol.ErrorCode;
import io.vertx.core.Future;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;

/** The node's own meters, next to the ones Vert.x keeps (HTTP, pools, event loop). */
public final class NodeMetrics {
  private final MeterRegistry registry;
  private final Counter opsAccepted;
  private final Map<ErrorCode, Counter> opsRefused = new EnumMap<>(ErrorCode.class);
  private final Counter deltasDelivered;
  private final Counter snapshotsSent;
  private final Timer storeLatency;
  private final Timer joinLatency;

  public NodeMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.opsAccepted = Counter.builder("rpl_ops_accepted_total").description("Ops applied").register(registry);
    for (ErrorCode code : ErrorCode.values()) {
      opsRefused.put(code, Counter.builder("rpl_ops_refused_total").tag("code", code.wire())
          .description("Ops and frames refused, by error code").register(registry));
    }
    this.deltasDelivered = Counter.builder("rpl_deltas_delivered_total")
        .description("Delta frames written to local sessions").register(registry);
    this.snapshotsSent = Counter.builder("rpl_snapshots_sent_total")
        .description("Snapshot frames written to local sessions").register(registry);
    this.storeLatency = Timer.builder("rpl_store_latency")
        .description("Round trip of a store operation, by operation")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(100_000))
        .maximumExpectedValue(Duration.ofSeconds(5))
        .register(registry);
    this.joinLatency = Timer.builder("rpl_join_latency")
        .description("From a socket's upgrade to its first frame (snapshot or resumed) written")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(100_000))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry);
  }

  public void gauges(Supplier<Number> connections, Supplier<Number> papers) {
    Gauge.builder("rpl_connections", connections).description("Open WebSocket sessions").register(registry);
    Gauge.builder("rpl_papers", papers).description("Papers with sessions on this node").register(registry);
  }

  public void accepted() {
    opsAccepted.increment();
  }

  public void refused(ErrorCode code) {
    opsRefused.get(code).increment();
  }

  public void delivered(int count) {
    deltasDelivered.increment(count);
  }

  public void snapshotSent() {
    snapshotsSent.increment();
  }

  /** Records how long a join took to give its session the first frame (successful joins only). */
  public <T> Future<T> timeJoin(Future<T> join) {
    long start = System.nanoTime();
    return join.andThen(result -> {
      if (result.succeeded()) {
        joinLatency.record(Duration.ofNanos(System.nanoTime() - start));
      }
    });
  }

  /** Records how long the store took to settle {@code operation}. */
  public <T> Future<T> timeStore(Future<T> operation) {
    long start = System.nanoTime();
    return operation.andThen(ignored -> storeLatency.record(Duration.ofNanos(System.nanoTime() - start)));
  }
}
