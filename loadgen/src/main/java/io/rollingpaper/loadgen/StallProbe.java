package io.rollingpaper.loadgen;

import org.HdrHistogram.Histogram;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * How much the machine itself stalls during a window, measured apart from any server: a thread of its own asks
 * to sleep 1 ms, over and over, and records by how much each wake-up came late. On an idle machine that is tens
 * of microseconds; a wake-up late by 10 ms means no process could have answered within 10 ms then (the host
 * took the CPUs away, or this JVM paused). Its own GC pauses in the window are reported next to it, so a stall
 * of the machine can be told from one of the load generator. Costs ~1,000 wake-ups a second, next to nothing.
 * The probe's thread is its own; {@link #start} and {@link #stop} are called from the CLI's main thread.
 */
final class StallProbe {
  private static final long TICK_NS = 1_000_000;
  private static final long STALL_US = 5_000;

  private final Histogram lateUs = new Histogram(60_000_000L, 2);
  private volatile boolean running;
  private Thread thread;
  private long gcCountBefore;
  private long gcMsBefore;
  private long startedNs;
  private long stoppedNs;

  void start() {
    gcCountBefore = gcCount();
    gcMsBefore = gcMs();
    startedNs = System.nanoTime();
    running = true;
    thread = new Thread(this::run, "stall-probe");
    thread.setDaemon(true);
    thread.start();
  }

  /** Returns once the probe's thread has ended (within a wake-up), so the figures are complete and visible here. */
  void stop() throws InterruptedException {
    running = false;
    thread.join();
    stoppedNs = System.nanoTime();
  }

  private void run() {
    while (running) {
      long before = System.nanoTime();
      LockSupport.parkNanos(TICK_NS);
      long late = System.nanoTime() - before - TICK_NS;
      lateUs.recordValue(Math.max(0, Math.min(late / 1000, lateUs.getHighestTrackableValue())));
    }
  }

  /** After {@link #stop}: wake-ups, how late at p99 / p99.9 / max, how many were 5 ms or more late, this JVM's GC. */
  Map<String, Object> figures() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("wakeups", lateUs.getTotalCount());
    m.put("late_p99_ms", CpuMeter.round(lateUs.getValueAtPercentile(99) / 1000.0, 2));
    m.put("late_p99_9_ms", CpuMeter.round(lateUs.getValueAtPercentile(99.9) / 1000.0, 2));
    m.put("late_max_ms", CpuMeter.round(lateUs.getMaxValue() / 1000.0, 2));
    m.put("late_5ms_or_more", lateUs.getCountBetweenValues(STALL_US, lateUs.getHighestTrackableValue()));
    m.put("window_s", CpuMeter.round((stoppedNs - startedNs) / 1e9, 1));
    m.put("loadgen_gc_pauses", gcCount() - gcCountBefore);
    m.put("loadgen_gc_pause_ms", gcMs() - gcMsBefore);
    return m;
  }

  /** Stop-the-world collectors only: a concurrent cycle (G1's, ZGC's) does not stop the probe. */
  private static List<GarbageCollectorMXBean> pausing() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .filter(gc -> !gc.getName().contains("Concurrent") && !gc.getName().contains("Cycles"))
        .toList();
  }

  private static long gcCount() {
    return pausing().stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
  }

  private static long gcMs() {
    return pausing().stream().mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
  }
}
