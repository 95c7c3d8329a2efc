package io.rollingpaper.loadgen;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One Redis's stalls over a window, from its own latency monitor: the seconds in which a command (or an event
 * loop step) took at least {@code latency-monitor-threshold} ms, and the longest. A Redis at a fraction of a core
 * whose commands run in microseconds should have none; when it has many, Redis was not running then (the host
 * took the CPU away), and every delivery through it waited. The threshold is the Redis's own setting (the
 * benchmark starts its Redis with one); with the monitor off the figures say so. Read from the CLI's main thread.
 */
final class RedisLatencyEvents {
  private final String host;
  private final int port;
  private long thresholdMs = -1;

  RedisLatencyEvents(String host, int port) {
    this.host = host;
    this.port = port;
  }

  /** Forgets the events before the window. */
  void start() {
    try {
      List<?> config = (List<?>) Resp.call(host, port, "CONFIG", "GET", "latency-monitor-threshold");
      thresholdMs = config.size() == 2 ? Long.parseLong((String) config.get(1)) : 0;
      if (thresholdMs > 0) {
        Resp.call(host, port, "LATENCY", "RESET");
      }
    } catch (IOException | RuntimeException e) {
      System.err.println("redis-stats: cannot reset the latency monitor of " + host + ":" + port + ": " + e);
      thresholdMs = -1;
    }
  }

  /** Per event (command, fast-command, ...): the seconds it happened in and its longest ms; then all events together. */
  Map<String, Object> figures() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("threshold_ms", thresholdMs);
    if (thresholdMs <= 0) {
      m.put("monitor", thresholdMs == 0 ? "off" : "unreadable");
      return m;
    }
    try {
      TreeSet<Long> seconds = new TreeSet<>();
      long worst = 0;
      Map<String, Object> events = new LinkedHashMap<>();
      for (Object latest : (List<?>) Resp.call(host, port, "LATENCY", "LATEST")) {
        List<?> row = (List<?>) latest;
        String name = (String) row.get(0);
        long maxMs = (Long) row.get(3);
        List<?> history = (List<?>) Resp.call(host, port, "LATENCY", "HISTORY", name);
        for (Object sample : history) {
          seconds.add((Long) ((List<?>) sample).get(0));
        }
        events.put(name, Map.of("seconds", history.size(), "max_ms", maxMs));
        worst = Math.max(worst, maxMs);
      }
      m.put("seconds_with_a_stall", seconds.size());
      m.put("max_ms", worst);
      m.put("events", events);
    } catch (IOException | RuntimeException e) {
      System.err.println("redis-stats: cannot read the latency monitor of " + host + ":" + port + ": " + e);
      m.put("monitor", "unreadable");
    }
    return m;
  }
}
