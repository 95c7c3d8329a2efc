package io.rollingpaper.loadgen;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Options shared by fanout and ramp. */
final class FanoutOptions {
  @Option(names = "--urls", split = ",", required = true,
      description = "Node or balancer base URLs, comma-separated (ws://host:port); clients are spread over them in turn.")
  List<String> urls;

  @Option(names = "--target", defaultValue = "ours",
      description = "Server under load: ours (Rolling Paper Live) or socketio (the peer in bench/peer-socketio); "
          + "the workload is the same (default: ${DEFAULT-VALUE}).")
  Target target;

  @Option(names = "--papers", defaultValue = "10", description = "Papers (default: ${DEFAULT-VALUE}).")
  int papers;

  @Option(names = "--clients-per-paper", defaultValue = "10", description = "Clients per paper (default: ${DEFAULT-VALUE}).")
  int clientsPerPaper;

  @Option(names = "--note-bytes", defaultValue = "100", description = "Approximate size of a note (default: ${DEFAULT-VALUE}).")
  int noteBytes;

  @Option(names = "--note-ids", defaultValue = "50",
      description = "Distinct note ids each paper cycles through (below the paper's note limit; default: ${DEFAULT-VALUE}).")
  int noteIds;

  @Option(names = "--pids", split = ",",
      description = "Server process ids (nodes, Redis, HAProxy) whose CPU time is read from /proc.")
  List<String> pids = new ArrayList<>();

  @Option(names = "--clock-ticks", defaultValue = "100", description = "Clock ticks per second of /proc/PID/stat (default: ${DEFAULT-VALUE}).")
  double clockTicks;

  @Option(names = "--event-loops", defaultValue = "1", description = "Event loops of the load generator (default: ${DEFAULT-VALUE}).")
  int eventLoops;

  @Option(names = "--native-transport", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Use Netty's native epoll transport when available (default: ${DEFAULT-VALUE}).")
  boolean nativeTransport;

  @Option(names = "--connect-timeout", defaultValue = "20s", description = "Time allowed for all clients to join (default: ${DEFAULT-VALUE}).")
  Duration connectTimeout;

  @Option(names = "--drain", defaultValue = "3s",
      description = "After a step, how long to wait for the last acknowledgements (default: ${DEFAULT-VALUE}).")
  Duration drain;

  @Option(names = "--local-addresses", split = ",",
      description = "Source addresses to spread the clients over (e.g. 127.0.0.2,127.0.0.3), for per-address limits.")
  List<String> localAddresses = new ArrayList<>();

  @Option(names = "--out", description = "JSON summary file (default: target/loadgen-SCENARIO-TIME.json).")
  Path out;

  FanoutEngine.Config engineConfig() {
    if (papers < 1 || clientsPerPaper < 1 || eventLoops < 1 || noteIds < 1) {
      throw new IllegalArgumentException("--papers, --clients-per-paper, --event-loops and --note-ids must be at least 1");
    }
    List<String> clean = new ArrayList<>();
    for (String u : urls) {
      String s = u.trim();
      while (s.endsWith("/")) {
        s = s.substring(0, s.length() - 1);
      }
      if (!s.startsWith("ws://") && !s.startsWith("wss://")) {
        throw new IllegalArgumentException("--urls takes ws:// or wss:// URLs, got " + u);
      }
      clean.add(s);
    }
    return new FanoutEngine.Config(clean, papers, clientsPerPaper, noteBytes, noteIds, eventLoops, connectTimeout,
        pids, clockTicks, localAddresses, nativeTransport, target);
  }

  Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("target", target.label());
    m.put("urls", urls);
    m.put("papers", papers);
    m.put("clients_per_paper", clientsPerPaper);
    m.put("note_bytes", noteBytes);
    m.put("note_ids", noteIds);
    m.put("event_loops", eventLoops);
    m.put("native_transport", nativeTransport);
    m.put("pids", pids);
    return m;
  }
}
