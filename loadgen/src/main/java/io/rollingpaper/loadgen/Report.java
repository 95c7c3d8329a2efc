package io.rollingpaper.loadgen;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/** JSON and human-readable output. */
final class Report {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Report() {
  }

  static Map<String, Object> latency(Histogram h) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("count", h.getTotalCount());
    if (h.getTotalCount() == 0) {
      return m;
    }
    m.put("p50_ms", ms(h.getValueAtPercentile(50)));
    m.put("p90_ms", ms(h.getValueAtPercentile(90)));
    m.put("p99_ms", ms(h.getValueAtPercentile(99)));
    m.put("p99_9_ms", ms(h.getValueAtPercentile(99.9)));
    m.put("max_ms", ms(h.getMaxValue()));
    m.put("mean_ms", CpuMeter.round(h.getMean() / 1000.0, 3));
    return m;
  }

  static String latencyLine(Histogram h) {
    if (h.getTotalCount() == 0) {
      return "no samples";
    }
    return String.format("p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f ms", h.getValueAtPercentile(50) / 1000.0,
        h.getValueAtPercentile(90) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0,
        h.getMaxValue() / 1000.0);
  }

  private static double ms(long us) {
    return CpuMeter.round(us / 1000.0, 3);
  }

  static Map<String, Object> step(FanoutEngine.StepResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rate_per_paper", r.ratePerPaper);
    m.put("offered_ops_per_s", r.ratePerPaper * r.papers);
    m.put("expected_deliveries_per_s", r.ratePerPaper * r.papers * r.clientsPerPaper);
    m.put("window_s", r.windowS);
    m.put("delivered", r.delivered);
    m.put("delivered_per_s", CpuMeter.round(r.deliveredPerSecond(), 1));
    m.put("latency", latency(r.latency));
    Map<String, Object> ops = new LinkedHashMap<>();
    ops.put("sent", r.sent);
    ops.put("acked", r.acked);
    ops.put("refused", r.refused);
    ops.put("unacked_after_drain", r.unacked());
    ops.put("drain_ms", r.drainMs);
    ops.put("not_sent_no_open_client", r.notSent);
    ops.put("skipped_loadgen_behind", r.skipped);
    m.put("ops", ops);
    m.put("errors_by_code", r.errors);
    m.put("closes_by_code", r.closes);
    Map<String, Object> checks = new LinkedHashMap<>();
    checks.put("seq_gaps", r.gaps);
    checks.put("seq_reordered", r.reordered);
    checks.put("seq_duplicates", r.duplicates);
    checks.put("resnapshots", r.resnapshots);
    checks.put("lost_clients", r.lostClients);
    checks.put("socket_exceptions", r.exceptions);
    checks.put("unparsable_frames", r.unparsable);
    checks.put("window_late_sends_over_5ms", r.lateSends);
    checks.put("window_max_send_lag_ms", CpuMeter.round(r.maxLagNs / 1e6, 2));
    m.put("checks", checks);
    if (r.secDelivered != null) {
      java.util.List<Map<String, Object>> timeline = new java.util.ArrayList<>();
      for (int i = 0; i < r.secDelivered.length; i++) {
        Map<String, Object> sec = new LinkedHashMap<>();
        sec.put("second", i);
        sec.put("delivered", r.secDelivered[i]);
        sec.put("max_latency_ms", ms(r.secMaxLatencyUs[i]));
        sec.put("max_send_lag_ms", ms(r.secMaxLagUs[i]));
        timeline.add(sec);
      }
      m.put("timeline", timeline);
    }
    m.put("cpu", r.cpu);
    if (r.machineStalls != null) {
      m.put("machine_stalls", r.machineStalls);
    }
    if (r.redisStalls != null) {
      m.put("redis_stalls", r.redisStalls);
    }
    return m;
  }

  static void printStep(FanoutEngine.StepResult r) {
    System.out.printf("rate %.1f ops/s/paper (%d papers x %d clients): delivered %.0f msg/s (expected %.0f)%n",
        r.ratePerPaper, r.papers, r.clientsPerPaper, r.deliveredPerSecond(), r.ratePerPaper * r.papers * r.clientsPerPaper);
    System.out.println("  latency  " + latencyLine(r.latency) + "  (" + r.latency.getTotalCount() + " samples)");
    System.out.printf("  ops      sent %d, acked %d, refused %d, unacked after %d ms drain %d%s%n", r.sent, r.acked,
        r.refused, r.drainMs, r.unacked(),
        r.skipped + r.notSent > 0 ? ", skipped " + r.skipped + ", not sent " + r.notSent : "");
    System.out.printf("  errors   %s  closes %s  seq gaps %d  out of order %d  duplicates %d  resnapshots %d  lost clients %d%n",
        r.errors, r.closes, r.gaps, r.reordered, r.duplicates, r.resnapshots, r.lostClients);
    System.out.printf("  sender   in the window: max lag behind schedule %.1f ms, %d sends >5 ms late%n", r.maxLagNs / 1e6, r.lateSends);
    if (r.secMaxLatencyUs != null) {
      StringBuilder sb = new StringBuilder("  per s    max latency ms:");
      for (long us : r.secMaxLatencyUs) {
        sb.append(' ').append(Math.round(us / 1000.0));
      }
      System.out.println(sb);
    }
    printStalls(r);
    printCpu(r.cpu);
  }

  private static void printStalls(FanoutEngine.StepResult r) {
    Map<String, Object> m = r.machineStalls;
    if (m != null) {
      System.out.printf("  machine  1-ms sleeps woke late: p99 %s, p99.9 %s, max %s ms; %s of %s wake-ups 5 ms or more late"
          + " (load generator GC: %s pauses, %s ms)%n", m.get("late_p99_ms"), m.get("late_p99_9_ms"), m.get("late_max_ms"),
          m.get("late_5ms_or_more"), m.get("wakeups"), m.get("loadgen_gc_pauses"), m.get("loadgen_gc_pause_ms"));
    }
    Map<String, Object> redis = r.redisStalls;
    if (redis != null) {
      System.out.println(redis.containsKey("monitor")
          ? "  redis    latency monitor " + redis.get("monitor")
          : String.format("  redis    %s seconds with a stall of %s ms or more, the longest %s ms %s", redis.get("seconds_with_a_stall"),
              redis.get("threshold_ms"), redis.get("max_ms"), redis.get("events")));
    }
  }

  static void printCpu(Map<String, Object> cpu) {
    printCpu(cpu, "delivered");
  }

  @SuppressWarnings("unchecked")
  static void printCpu(Map<String, Object> cpu, String unit) {
    if (cpu == null) {
      return;
    }
    Object procs = cpu.get("server_processes");
    if (procs instanceof Iterable<?> list) {
      for (Object o : list) {
        Map<String, Object> p = (Map<String, Object>) o;
        System.out.printf("  cpu      pid %s (%s): %s s = %s%% of a core, %s s per 1000 %s%s%n", p.get("pid"),
            p.get("process"), p.get("cpu_s"), p.get("cpu_pct_of_core"), p.get("cpu_s_per_1000_" + unit), unit,
            p.containsKey("cpu_s_by_thread_kind") ? " " + p.get("cpu_s_by_thread_kind") : "");
      }
      System.out.printf("  cpu      server total %s s = %s%% of a core, %s s per 1000 %s%n", cpu.get("server_cpu_s"),
          cpu.get("server_cpu_pct_of_core"), cpu.get("server_cpu_s_per_1000_" + unit), unit);
    }
    System.out.printf("  cpu      loadgen %s%% of a core; machine %s%% busy (%s cores); of a core: %s%% irq/softirq, "
        + "%s%% unaccounted (other processes, softirq)%n", cpu.get("loadgen_cpu_pct_of_core"), cpu.get("machine_busy_pct"),
        cpu.get("machine_cores"), cpu.get("machine_irq_softirq_pct_of_core"), cpu.get("unaccounted_cpu_pct_of_core"));
  }

  /** Writes the JSON summary to {@code out}, or to target/loadgen-SCENARIO-TIME.json when null. */
  static Path write(Map<String, Object> summary, Path out, String scenario) throws IOException {
    if (out == null) {
      out = Path.of("target", "loadgen-" + scenario + "-"
          + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".json");
    }
    Path parent = out.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    JSON.writeValue(out.toFile(), summary);
    System.out.println("wrote " + out);
    return out;
  }

  static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
    m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    m.put("time", java.time.OffsetDateTime.now().toString());
    return m;
  }
}
