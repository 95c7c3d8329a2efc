package io.rollingpaper.loadgen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Memory of a server process: resident set from /proc/PID/status and, for a JVM, the live heap from
 * {@code jcmd PID GC.class_histogram} (which runs a full GC first, so it counts reachable objects only,
 * whatever the collector) and the committed heap from {@code jcmd PID GC.heap_info}.
 */
final class NodeMemory {
  private static final Pattern HISTO_LINE = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+).*$");
  private static final Pattern HISTO_TOTAL = Pattern.compile("^Total\\s+(\\d+)\\s+(\\d+)\\s*$");
  /** G1, Parallel and Serial print "total 262144K, used 20480K"; ZGC prints "used 12M, capacity 64M". */
  private static final Pattern HEAP_G1 = Pattern.compile("total (\\d+)K, used (\\d+)K");
  private static final Pattern HEAP_Z = Pattern.compile("used (\\d+)M, capacity (\\d+)M");

  private NodeMemory() {
  }

  /** One reading. Fields are -1 when unknown. */
  record Reading(long rssBytes, long rssAnonBytes, long heapLiveBytes, long heapUsedBytes, long heapCommittedBytes,
      Map<String, long[]> classes) {

    Map<String, Object> describe() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("rss_bytes", orNull(rssBytes));
      m.put("rss_anon_bytes", orNull(rssAnonBytes));
      m.put("heap_live_bytes_after_full_gc", orNull(heapLiveBytes));
      m.put("heap_used_bytes", orNull(heapUsedBytes));
      m.put("heap_committed_bytes", orNull(heapCommittedBytes));
      return m;
    }
  }

  /**
   * Reads the process's memory. With {@code fullGc}, the class histogram forces a full collection first
   * and gives the live heap by class; the RSS is read a moment after it.
   */
  static Reading read(String pid, boolean fullGc, String jcmd) {
    Map<String, long[]> classes = Map.of();
    long live = -1;
    if (fullGc) {
      String histo = run(jcmd, pid, "GC.class_histogram");
      if (histo != null) {
        classes = parseHistogram(histo);
        long[] total = classes.get("<total>");
        live = total == null ? -1 : total[1];
      }
      sleep(1000);
    }
    long used = -1;
    long committed = -1;
    String info = run(jcmd, pid, "GC.heap_info");
    if (info != null) {
      Matcher m = HEAP_G1.matcher(info);
      if (m.find()) {
        committed = Long.parseLong(m.group(1)) * 1024;
        used = Long.parseLong(m.group(2)) * 1024;
      } else {
        Matcher z = HEAP_Z.matcher(info);
        if (z.find()) {
          used = Long.parseLong(z.group(1)) << 20;
          committed = Long.parseLong(z.group(2)) << 20;
        }
      }
    }
    Map<String, Long> status = status(pid);
    return new Reading(status.getOrDefault("VmRSS", -1L), status.getOrDefault("RssAnon", -1L), live, used, committed,
        classes);
  }

  /** The kB fields of /proc/PID/status, in bytes. */
  static Map<String, Long> status(String pid) {
    Map<String, Long> out = new LinkedHashMap<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.endsWith(" kB")) {
          try {
            out.put(line.substring(0, colon), Long.parseLong(line.substring(colon + 1, line.length() - 3).trim()) * 1024);
          } catch (NumberFormatException e) {
            // not a number
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return Map.of();
    }
    return out;
  }

  /** The soft limit of open files of a process ("self" for this one), or -1. */
  static long openFilesLimit(String pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", pid, "limits"))) {
        if (line.startsWith("Max open files")) {
          String[] f = line.substring("Max open files".length()).trim().split("\\s+");
          return f[0].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(f[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** The hard limit of open files of a process, or -1. */
  static long openFilesHardLimit(String pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", pid, "limits"))) {
        if (line.startsWith("Max open files")) {
          String[] f = line.substring("Max open files".length()).trim().split("\\s+");
          return f[1].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(f[1]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** Open file descriptors of a process, or -1. */
  static long openFiles(String pid) {
    try (var s = Files.list(Path.of("/proc", pid, "fd"))) {
      return s.count();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Class name to {instances, bytes}; the total under {@code <total>}. */
  static Map<String, long[]> parseHistogram(String text) {
    Map<String, long[]> out = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      Matcher m = HISTO_LINE.matcher(line);
      if (m.matches()) {
        out.merge(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))},
            (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
        continue;
      }
      Matcher t = HISTO_TOTAL.matcher(line.trim());
      if (t.matches()) {
        out.put("<total>", new long[] {Long.parseLong(t.group(1)), Long.parseLong(t.group(2))});
      }
    }
    return out;
  }

  /** (after - before) / n, or null when either side is unknown or n is 0. */
  static Double perConnection(long before, long after, long n) {
    if (before < 0 || after < 0 || n <= 0) {
      return null;
    }
    return (after - before) / (double) n;
  }

  /** The classes whose live bytes grew most, per connection, at most {@code top} of them. */
  static List<Map<String, Object>> classGrowth(Map<String, long[]> before, Map<String, long[]> after, long n, int top) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (n <= 0 || after.isEmpty()) {
      return out;
    }
    List<Map.Entry<String, long[]>> grown = new ArrayList<>();
    for (Map.Entry<String, long[]> e : after.entrySet()) {
      if (e.getKey().equals("<total>")) {
        continue;
      }
      long[] b = before.getOrDefault(e.getKey(), new long[2]);
      grown.add(Map.entry(e.getKey(), new long[] {e.getValue()[0] - b[0], e.getValue()[1] - b[1]}));
    }
    grown.sort(Comparator.comparingLong((Map.Entry<String, long[]> e) -> e.getValue()[1]).reversed());
    for (Map.Entry<String, long[]> e : grown.subList(0, Math.min(top, grown.size()))) {
      if (e.getValue()[1] <= 0) {
        break;
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("class", e.getKey());
      m.put("instances_per_connection", CpuMeter.round(e.getValue()[0] / (double) n, 2));
      m.put("bytes_per_connection", CpuMeter.round(e.getValue()[1] / (double) n, 1));
      out.add(m);
    }
    return out;
  }

  /** CPU ticks over a wall-clock window as a percentage of one core. */
  static double pctOfCore(long ticks, double ticksPerSecond, double wallSeconds) {
    return wallSeconds <= 0 ? 0 : 100.0 * ticks / ticksPerSecond / wallSeconds;
  }

  static String jcmdPath() {
    Path p = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    return Files.isExecutable(p) ? p.toString() : "jcmd";
  }

  /** The output of {@code jcmd PID command}, or null (printed to stderr) if it fails. */
  static String run(String jcmd, String pid, String command) {
    try {
      Process p = new ProcessBuilder(jcmd, pid, command).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        System.err.println("jcmd " + pid + " " + command + ": timed out");
        return null;
      }
      String s = new String(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        System.err.println("jcmd " + pid + " " + command + " failed (" + p.exitValue() + "): " + s.strip());
        return null;
      }
      return s;
    } catch (IOException e) {
      System.err.println("jcmd " + pid + " " + command + ": " + e.getMessage());
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  static Object orNull(long v) {
    return v < 0 ? null : v;
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
