package io.rollingpaper.loadgen;

import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** The workload options fanout and ramp share (the connection options are in {@link ConnectionOptions}). */
final class FanoutOptions {
  @Option(names = "--papers", defaultValue = "10", description = "Papers (default: ${DEFAULT-VALUE}).")
  int papers;

  @Option(names = "--clients-per-paper", defaultValue = "10", description = "Clients per paper (default: ${DEFAULT-VALUE}).")
  int clientsPerPaper;

  @Option(names = "--note-bytes", defaultValue = "100", description = "Approximate size of a note (default: ${DEFAULT-VALUE}).")
  int noteBytes;

  @Option(names = "--note-ids", defaultValue = "50",
      description = "Distinct note ids each paper cycles through (below the paper's note limit; default: ${DEFAULT-VALUE}).")
  int noteIds;

  @Option(names = "--connect-timeout", defaultValue = "20s", description = "Time allowed for all clients to join (default: ${DEFAULT-VALUE}).")
  Duration connectTimeout;

  @Option(names = "--connect-in-flight", defaultValue = "100",
      description = "Joins in flight at most per event loop while connecting (default: ${DEFAULT-VALUE}).")
  int connectInFlight;

  @Option(names = "--drain", defaultValue = "3s",
      description = "After a step, how long to wait for the last acknowledgements (default: ${DEFAULT-VALUE}).")
  Duration drain;

  @Option(names = "--cpu-share", defaultValue = "0.5",
      description = "CPU (and Redis command stats) are read over the middle SHARE of the measured window, away from "
          + "its edges; 1: the whole window (default: ${DEFAULT-VALUE}).")
  double cpuShare;

  @Option(names = "--redis-stats",
      description = "HOST:PORT of a Redis whose INFO commandstats are read at both ends of the CPU window, to report "
          + "calls and usec per call of each command in it (evalsha/fcall and the commands they run).")
  String redisStats;

  FanoutEngine.Config engineConfig(ConnectionOptions connection) {
    if (papers < 1 || clientsPerPaper < 1 || noteIds < 1 || connectInFlight < 1) {
      throw new IllegalArgumentException("--papers, --clients-per-paper, --note-ids and --connect-in-flight must be at least 1");
    }
    if (cpuShare <= 0 || cpuShare > 1) {
      throw new IllegalArgumentException("--cpu-share takes a share above 0, at most 1");
    }
    return new FanoutEngine.Config(connection.cleanUrls(), papers, clientsPerPaper, noteBytes, noteIds,
        connection.eventLoops, connectTimeout, connection.pids, connection.otherPids, connection.clockTicks,
        connection.expandedLocalAddresses(), connection.nativeTransport, connection.target, cpuShare,
        redisStats == null ? null : RedisCommandStats.at(redisStats), connectInFlight);
  }

  Map<String, Object> describe(ConnectionOptions connection) {
    Map<String, Object> m = connection.describe();
    m.put("papers", papers);
    m.put("clients_per_paper", clientsPerPaper);
    m.put("note_bytes", noteBytes);
    m.put("note_ids", noteIds);
    m.put("cpu_share_of_window", cpuShare);
    if (redisStats != null) {
      m.put("redis_stats", redisStats);
    }
    return m;
  }
}
