package io.rollingpaper.node.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rollingpaper.protocol.ErrorCode;
import io.vertx.core.Future;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The node's own meters, next to the ones Vert.x keeps (HTTP, pools, event loop) and the JVM's and the
 * process's. Every series is documented in README's metrics table. Its counters are thread-safe; they are
 * counted on the node's event loop.
 */
public final class NodeMetrics implements AutoCloseable {
  /** How a session got its first frame. */
  public enum JoinKind {
    /** A fresh join: a snapshot. */
    SNAPSHOT,
    /** A resume ({@code since}) served from the history: {@code resumed} and the missed deltas. */
    RESUMED,
    /** A resume the history could not serve (another epoch, too old, ahead): a snapshot instead. */
    RESUME_FALLBACK;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final MeterRegistry registry;
  private final RuntimeMeters runtime;
  private final Map<JoinKind, Counter> joins = new EnumMap<>(JoinKind.class);
  private final Map<Integer, Counter> closesByCode = new ConcurrentHashMap<>();
  private final Counter signalsDropped;
  private final Counter sendQueueOverflows;
  private final Counter subscriptionRepairs;
  private final Counter opsAccepted;
  private final Map<ErrorCode, Counter> opsRefused = new EnumMap<>(ErrorCode.class);
  private final Counter deltasDelivered;
  private final Counter snapshotsSent;
  private final Timer storeLatency;
  private final Timer joinLatency;

  public NodeMetrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
    this.runtime = new RuntimeMeters(registry);
    BuildInfo.register(registry.getPrometheusRegistry());
    for (JoinKind kind : JoinKind.values()) {
      joins.put(kind, Counter.builder("rpl_joins_total").tag("kind", kind.label())
          .description("Sessions given their first frame: a snapshot, a resume, or a resume that fell back to a snapshot")
          .register(registry));
    }
    this.signalsDropped = Counter.builder("rpl_signals_dropped_total")
        .description("Signals not sent to a session whose send queue was past its soft bound").register(registry);
    this.sendQueueOverflows = Counter.builder("rpl_send_queue_overflows_total")
        .description("Sessions closed with 1013 because their send queue passed its hard bound").register(registry);
    this.subscriptionRepairs = Counter.builder("rpl_subscription_repairs_total")
        .description("Repairs of a paper from the store's history: a seq gap, a lost subscription, a stale head")
        .register(registry);
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
        .description("Round trip of a store call for an op (session or HTTP API) or a paper read (join, resume, repair)")
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

  public void joined(JoinKind kind) {
    joins.get(kind).increment();
  }

  /** A session's socket closed with {@code code} (1006 when it closed without a close frame). */
  public void sessionClosed(int code) {
    closesByCode.computeIfAbsent(code, key -> Counter.builder("rpl_session_closes_total")
        .tag("code", Integer.toString(key))
        .description("Sessions closed, by WebSocket close code (1006: without a close frame)")
        .register(registry)).increment();
  }

  public void signalDropped() {
    signalsDropped.increment();
  }

  public void sendQueueOverflowed() {
    sendQueueOverflows.increment();
  }

  public void subscriptionRepaired() {
    subscriptionRepairs.increment();
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

  @Override
  public void close() {
    runtime.close();
  }
}
