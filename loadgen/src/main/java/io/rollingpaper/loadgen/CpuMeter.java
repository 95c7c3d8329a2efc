package io.rollingpaper.loadgen;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** CPU seconds of the given server processes, of the load generator itself and of the machine over a window. */
final class CpuMeter {
  private final List<String> pids;
  private final List<String> otherPids;
  private final double ticksPerSecond;
  private long[] startTicks;
  private long[] otherStartTicks;
  private List<Map<String, Long>> startThreads;
  private long selfStart;
  private long[] machineStart;
  private long startNanos;
  // The readings at the end of the window (see end()).
  private long endNanos;
  private long[] endTicks;
  private List<Map<String, Long>> endThreads;
  private long[] otherEndTicks;
  private long selfEnd;
  private long[] machineEnd;

  CpuMeter(List<String> pids, double ticksPerSecond) {
    this(pids, List.of(), ticksPerSecond);
  }

  /** {@code otherPids}: processes that are not the server under load, reported apart (the other server set). */
  CpuMeter(List<String> pids, List<String> otherPids, double ticksPerSecond) {
    this.pids = pids;
    this.otherPids = otherPids;
    this.ticksPerSecond = ticksPerSecond;
  }

  void start() {
    startNanos = System.nanoTime();
    startTicks = new long[pids.size()];
    startThreads = new ArrayList<>();
    for (int i = 0; i < pids.size(); i++) {
      startTicks[i] = ProcStat.cpuTicks(pids.get(i));
      startThreads.add(ProcStat.threadTicks(pids.get(i)));
    }
    otherStartTicks = otherPids.stream().mapToLong(ProcStat::cpuTicks).toArray();
    selfStart = ProcStat.cpuTicks(ProcStat.selfPid());
    machineStart = ProcStat.machineTicks();
  }

  /** The window's figures; {@code delivered} messages give the per-1,000 cost. */
  Map<String, Object> stop(long delivered) {
    return stop(delivered, "delivered");
  }

  /** The window's figures; {@code count} units (messages delivered, snapshots) give the per-1,000 cost. */
  Map<String, Object> stop(long count, String unit) {
    end();
    return figures(count, unit);
  }

  /** Ends the window: reads every counter now; {@link #figures} may follow later, once the count is known. */
  void end() {
    endNanos = System.nanoTime();
    endTicks = pids.stream().mapToLong(ProcStat::cpuTicks).toArray();
    endThreads = new ArrayList<>();
    for (String pid : pids) {
      endThreads.add(ProcStat.threadTicks(pid));
    }
    otherEndTicks = otherPids.stream().mapToLong(ProcStat::cpuTicks).toArray();
    selfEnd = ProcStat.cpuTicks(ProcStat.selfPid());
    machineEnd = ProcStat.machineTicks();
  }

  /** The figures of the window {@link #end} closed; {@code count} units done in it give the per-1,000 cost. */
  Map<String, Object> figures(long count, String unit) {
    long delivered = count;
    String per = "cpu_s_per_1000_" + unit;
    double wall = (endNanos - startNanos) / 1e9;
    Map<String, Object> out = new LinkedHashMap<>();
    List<Map<String, Object>> procs = new ArrayList<>();
    double total = 0;
    boolean allRead = true;
    for (int i = 0; i < pids.size(); i++) {
      String pid = pids.get(i);
      long end = endTicks[i];
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("pid", pid);
      p.put("process", ProcStat.describe(pid));
      if (end < 0 || startTicks[i] < 0) {
        p.put("error", "cannot read /proc/" + pid + "/stat");
        allRead = false;
      } else {
        double s = (end - startTicks[i]) / ticksPerSecond;
        total += s;
        p.put("cpu_s", round(s, 2));
        p.put("cpu_pct_of_core", round(100 * s / wall, 1));
        p.put(per, delivered > 0 ? round(1000 * s / delivered, 5) : null);
        Map<String, Long> threads = endThreads.get(i);
        if (threads.size() > 1) {
          // A JVM: CPU by thread kind, so JIT compilation in a young JVM can be told from steady work.
          Map<String, Object> kinds = new LinkedHashMap<>();
          for (Map.Entry<String, Long> e : threads.entrySet()) {
            long before = startThreads.get(i).getOrDefault(e.getKey(), 0L);
            kinds.put(e.getKey(), round(Math.max(0, e.getValue() - before) / ticksPerSecond, 2));
          }
          p.put("cpu_s_by_thread_kind", kinds);
          double jit = ((Number) kinds.getOrDefault("jit", 0.0)).doubleValue();
          p.put(per + "_without_jit", delivered > 0 ? round(1000 * (s - jit) / delivered, 5) : null);
        }
      }
      procs.add(p);
    }
    out.put("window_s", round(wall, 2));
    if (!pids.isEmpty()) {
      out.put("server_processes", procs);
      out.put("server_cpu_s", allRead ? round(total, 2) : null);
      out.put("server_cpu_pct_of_core", allRead ? round(100 * total / wall, 1) : null);
      out.put("server_" + per, allRead && delivered > 0 ? round(1000 * total / delivered, 5) : null);
    }
    double others = 0;
    if (!otherPids.isEmpty()) {
      List<Map<String, Object>> rest = new ArrayList<>();
      for (int i = 0; i < otherPids.size(); i++) {
        long end = otherEndTicks[i];
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("pid", otherPids.get(i));
        p.put("process", ProcStat.describe(otherPids.get(i)));
        if (end >= 0 && otherStartTicks[i] >= 0) {
          double s = (end - otherStartTicks[i]) / ticksPerSecond;
          others += s;
          p.put("cpu_s", round(s, 2));
          p.put("cpu_pct_of_core", round(100 * s / wall, 1));
        }
        rest.add(p);
      }
      out.put("other_processes", rest);
    }
    double self = (selfEnd - selfStart) / ticksPerSecond;
    out.put("loadgen_cpu_s", round(self, 2));
    out.put("loadgen_cpu_pct_of_core", round(100 * self / wall, 1));
    long[] m = machineEnd;
    if (m != null && machineStart != null && m[1] > machineStart[1]) {
      double busy = (double) (m[0] - machineStart[0]) / (m[1] - machineStart[1]);
      int cores = Runtime.getRuntime().availableProcessors();
      out.put("machine_busy_pct", round(100 * busy, 1));
      out.put("machine_cores", cores);
      out.put("machine_irq_softirq_pct_of_core", round(100.0 * cores * (m[2] - machineStart[2]) / (m[1] - machineStart[1]), 1));
      // CPU that neither the listed processes nor the load generator used (other processes, kernel work
      // not charged to them): a large figure means the run was disturbed or a process is missing from --pids.
      double rest = 100 * busy * cores - 100 * self / wall - (allRead ? 100 * total / wall : 0) - 100 * others / wall;
      out.put("unaccounted_cpu_pct_of_core", round(Math.max(0, rest), 1));
    }
    return out;
  }

  static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }
}
