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
    try {
      String stat = Files.readString(Path.of("/proc", pid, "stat"));
      // The command name (field 2) is in parentheses and may contain spaces: split after the last ')'.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
      // f[0] is field 3 (state); utime is field 14, stime field 15.
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
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
