package io.rollingpaper.loadgen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** CPU time of processes and of the machine, read from /proc (Linux). */
final class ProcStat {
  private ProcStat() {
  }

  /** utime + stime of a process in clock ticks, or -1 if it cannot be read. */
  static long cpuTicks(String pid) {
    long[] us = userSystemTicks(pid);
    return us == null ? -1 : us[0] + us[1];
  }

  /** {utime, stime} of a process in clock ticks (user and kernel time), or null if it cannot be read. */
  static long[] userSystemTicks(String pid) {
    try {
      return parseUserSystem(Files.readString(Path.of("/proc", pid, "stat")));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * {utime, stime} from the text of a /proc/PID/stat (or task/TID/stat) file. The command name (field 2) is in
   * parentheses and may contain spaces and parentheses: the fields are split after the last ')'.
   */
  static long[] parseUserSystem(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    // f[0] is field 3 (state); utime is field 14, stime field 15.
    return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
  }

  /**
   * CPU ticks of a process's threads by kind: {@code jit} (C1/C2 compiler threads), {@code gc} (GC and G1
   * threads), {@code event_loop} (Vert.x/Netty event loops) and {@code other}. Empty if it cannot be read.
   */
  static java.util.Map<String, Long> threadTicks(String pid) {
    java.util.Map<String, Long> out = new java.util.TreeMap<>();
    try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc", pid, "task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          int open = stat.indexOf('(');
          int close = stat.lastIndexOf(')');
          String comm = stat.substring(open + 1, close);
          long[] us = parseUserSystem(stat);
          long ticks = us[0] + us[1];
          out.merge(threadKind(comm), ticks, Long::sum);
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException | RuntimeException e) {
      return java.util.Map.of();
    }
    return out;
  }

  static String threadKind(String comm) {
    if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
      return "jit";
    }
    if (comm.startsWith("GC Thread") || comm.startsWith("G1 ") || comm.startsWith("ZGC") || comm.startsWith("ZWorker")
        || comm.startsWith("VM Thread")) {
      return "gc_vm";
    }
    if (comm.startsWith("vert.x-eventloo") || comm.startsWith("eventloop") || comm.startsWith("nioEventLoop")) {
      return "event_loop";
    }
    return "other";
  }

  /** A short description of a process: its command name, and the jar or the program for java. */
  static String describe(String pid) {
    try {
      String comm = Files.readString(Path.of("/proc", pid, "comm")).trim();
      String[] args = new String(Files.readAllBytes(Path.of("/proc", pid, "cmdline"))).split("\0");
      for (int i = 0; i < args.length - 1; i++) {
        if (args[i].equals("-jar")) {
          return comm + " " + Path.of(args[i + 1]).getFileName();
        }
      }
      if (args.length > 0 && !args[0].isEmpty()) {
        String prog = Path.of(args[0]).getFileName().toString();
        return args.length > 1 && prog.startsWith("redis") ? comm + " " + args[1] : comm;
      }
      return comm;
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  /** Machine-wide (busy, total, irq + softirq) jiffies from the first line of /proc/stat, or null. */
  static long[] machineTicks() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
      String[] f = lines.get(0).trim().split("\\s+");
      long total = 0;
      long idle = 0;
      long irq = 0;
      for (int i = 1; i < f.length && i <= 8; i++) {
        long v = Long.parseLong(f[i]);
        total += v;
        if (i == 4 || i == 5) {
          idle += v; // idle + iowait
        } else if (i == 6 || i == 7) {
          irq += v; // irq + softirq: mostly the loopback network stack, charged to no process
        }
      }
      return new long[] {total - idle, total, irq};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  static String selfPid() {
    return Long.toString(ProcessHandle.current().pid());
  }
}
