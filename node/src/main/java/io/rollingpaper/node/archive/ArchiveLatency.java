package io.rollingpaper.node.archive;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;

import java.time.Duration;
import java.util.function.Supplier;

/** {@code rpl_archive_latency_seconds{operation}}: one archive round trip, failed ones included. */
final class ArchiveLatency {
  private final MeterRegistry registry;

  ArchiveLatency(MeterRegistry registry) {
    this.registry = registry;
  }

  <T> Future<T> time(String operation, Supplier<Future<T>> call) {
    Timer timer = Timer.builder("rpl_archive_latency")
        .description("Round trip of an archive operation, by operation")
        .tag("operation", operation)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(100_000))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry);
    long start = System.nanoTime();
    return call.get().andThen(done -> timer.record(Duration.ofNanos(System.nanoTime() - start)));
  }
}
