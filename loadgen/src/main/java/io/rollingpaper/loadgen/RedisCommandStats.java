package io.rollingpaper.loadgen;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code INFO commandstats} of one Redis, read at both ends of a window: how many calls of each command it ran and
 * how long they took, commands run inside scripts included. Called from the CLI's main thread (a blocking socket).
 */
final class RedisCommandStats {
  /** Calls and microseconds of one command, cumulative since the Redis started. */
  record Counter(long calls, long usec) {
  }

  private final String host;
  private final int port;

  private RedisCommandStats(String host, int port) {
    this.host = host;
    this.port = port;
  }

  static RedisCommandStats at(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("--redis-stats takes HOST:PORT, got " + hostPort);
    }
    return new RedisCommandStats(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  /** The counters now, or an empty map when the Redis cannot be read (the run goes on without them). */
  Map<String, Counter> read() {
    try {
      return parse((String) Resp.call(host, port, "INFO", "commandstats"));
    } catch (IOException | RuntimeException e) {
      System.err.println("redis-stats: cannot read INFO commandstats of " + host + ":" + port + ": " + e);
      return Map.of();
    }
  }

  /** The same Redis's stalls, read through its latency monitor. */
  RedisLatencyEvents latencyEvents() {
    return new RedisLatencyEvents(host, port);
  }

  /** Lines like {@code cmdstat_evalsha:calls=10,usec=250,usec_per_call=25.00,rejected_calls=0,failed_calls=0}. */
  static Map<String, Counter> parse(String info) {
    Map<String, Counter> out = new TreeMap<>();
    for (String line : info.split("\r?\n")) {
      if (!line.startsWith("cmdstat_")) {
        continue;
      }
      int colon = line.indexOf(':');
      long calls = 0;
      long usec = 0;
      for (String field : line.substring(colon + 1).split(",")) {
        String[] kv = field.split("=", 2);
        if (kv[0].equals("calls")) {
          calls = Long.parseLong(kv[1]);
        } else if (kv[0].equals("usec")) {
          usec = Long.parseLong(kv[1]);
        }
      }
      out.put(line.substring("cmdstat_".length(), colon), new Counter(calls, usec));
    }
    return out;
  }

  /** Per command over the window: calls, calls/s, usec and usec per call; commands not called are left out. */
  static Map<String, Object> window(Map<String, Counter> before, Map<String, Counter> after, double seconds) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Counter> e : after.entrySet()) {
      Counter b = before.getOrDefault(e.getKey(), new Counter(0, 0));
      long calls = e.getValue().calls() - b.calls();
      long usec = e.getValue().usec() - b.usec();
      if (calls <= 0) {
        continue;
      }
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("calls", calls);
      c.put("calls_per_s", CpuMeter.round(calls / seconds, 1));
      c.put("usec", usec);
      c.put("usec_per_call", CpuMeter.round((double) usec / calls, 2));
      out.put(e.getKey(), c);
    }
    return out;
  }
}
