package io.rollingpaper.node.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;

import java.util.List;

/**
 * The JVM's and the process's meters (memory, GC, threads, classes; CPU, file descriptors, uptime), the
 * first things an operator compares across nodes. The GC binder listens to JVM notifications, so it is
 * closed with the node.
 */
final class RuntimeMeters implements AutoCloseable {
  private final JvmGcMetrics gc = new JvmGcMetrics();

  RuntimeMeters(MeterRegistry registry) {
    List<MeterBinder> binders = List.of(new JvmMemoryMetrics(), gc, new JvmThreadMetrics(), new ClassLoaderMetrics(),
        new ProcessorMetrics(), new FileDescriptorMetrics(), new UptimeMetrics());
    binders.forEach(binder -> binder.bindTo(registry));
  }

  @Override
  public void close() {
    gc.close();
  }
}
