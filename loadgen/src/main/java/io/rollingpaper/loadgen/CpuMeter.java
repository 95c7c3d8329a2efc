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
  // {utime, stime} per process (null where unreadable): the user/kernel split of the same CPU time.
  private long[][] startUserSystem;
  private long[][] otherStartUserSystem;
  private List<Map<String, Long>> startThreads;
  private long selfStart;
  private long[] machineStart;
  private long startNanos;
  // The readings at the end of the window (see end()).
  private long endNanos;
  private long[] endTicks;
  private List<Map<String, Long>> endThreads;
  private long[] otherEndTicks;
  private long[][] endUserSystem;
  private long[][] otherEndUserSystem;
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
    startUserSystem = userSystem(pids);
    otherStartUserSystem = userSystem(otherPids);
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
    endUserSystem = userSystem(pids);
    otherEndUserSystem = userSystem(otherPids);
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
    double[] userSystemTotal = new double[2];
    boolean allRead = true;
    boolean allUserSystem = true;
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
        double[] us = putUserSystem(p, startUserSystem[i], endUserSystem[i], delivered, per);
        if (us == null) {
          allUserSystem = false;
        } else {
          userSystemTotal[0] += us[0];
          userSystemTotal[1] += us[1];
        }
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
      putUserSystemSums(out, "server_", allRead && allUserSystem ? userSystemTotal : null, delivered, per);
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
          putUserSystem(p, otherStartUserSystem[i], otherEndUserSystem[i], 0, per);
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

  private static long[][] userSystem(List<String> pids) {
    long[][] out = new long[pids.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = ProcStat.userSystemTicks(pids.get(i));
    }
    return out;
  }

  /**
   * Puts {@code user_s} and {@code system_s} (and, with a count, their cost per 1,000) of one process over the
   * window; returns them, or null when either reading is missing.
   */
  private double[] putUserSystem(Map<String, Object> p, long[] start, long[] end, long count, String per) {
    if (start == null || end == null) {
      return null;
    }
    double user = Math.max(0, end[0] - start[0]) / ticksPerSecond;
    double system = Math.max(0, end[1] - start[1]) / ticksPerSecond;
    p.put("user_s", round(user, 2));
    p.put("system_s", round(system, 2));
    if (count > 0) {
      p.put(per.replace("cpu_s_", "user_s_"), round(1000 * user / count, 5));
      p.put(per.replace("cpu_s_", "system_s_"), round(1000 * system / count, 5));
    }
    return new double[] {user, system};
  }

  /** The sums of user and system time of a process group (null: a reading was missing) and their cost per 1,000. */
  static void putUserSystemSums(Map<String, Object> out, String prefix, double[] sums, long count, String per) {
    out.put(prefix + "user_s", sums == null ? null : round(sums[0], 2));
    out.put(prefix + "system_s", sums == null ? null : round(sums[1], 2));
    out.put(prefix + per.replace("cpu_s_", "user_s_"), sums != null && count > 0 ? round(1000 * sums[0] / count, 5) : null);
    out.put(prefix + per.replace("cpu_s_", "system_s_"), sums != null && count > 0 ? round(1000 * sums[1] / count, 5) : null);
  }

  static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }
}
