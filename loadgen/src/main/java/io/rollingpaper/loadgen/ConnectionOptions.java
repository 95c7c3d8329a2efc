package io.rollingpaper.loadgen;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options every load command shares, mixed in with {@code @Mixin}: where the servers are, which server it is,
 * whose CPU to read, how the load generator's own sockets are set up, and where the JSON summary goes.
 */
final class ConnectionOptions {
  @Option(names = {"--urls", "--url"}, split = ",", required = true,
      description = "Node or balancer base URLs, comma-separated (ws://host:port); clients are spread over them in turn "
          + "(join-storm and idle use the first).")
  List<String> urls;

  @Option(names = "--target", defaultValue = "ours",
      description = "Server under load: ours (Rolling Paper Live) or socketio (the peer in bench/peer-socketio; fanout "
          + "and ramp only) (default: ${DEFAULT-VALUE}).")
  Target target;

  @Option(names = {"--pids", "--pid"}, split = ",",
      description = "Server process ids (nodes, Redis, HAProxy) whose CPU time is read from /proc (idle: the one node).")
  List<String> pids = new ArrayList<>();

  @Option(names = "--other-pids", split = ",",
      description = "Processes on the machine that are not the server under load (the other server set, its Redis): "
          + "their CPU is reported apart, not counted as the server's.")
  List<String> otherPids = new ArrayList<>();

  @Option(names = "--clock-ticks", defaultValue = "100", description = "Clock ticks per second of /proc/PID/stat (default: ${DEFAULT-VALUE}).")
  double clockTicks;

  @Option(names = "--event-loops", defaultValue = "1", description = "Event loops of the load generator (default: ${DEFAULT-VALUE}).")
  int eventLoops;

  @Option(names = "--native-transport", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Use Netty's native epoll transport when available (default: ${DEFAULT-VALUE}).")
  boolean nativeTransport;

  @Option(names = "--local-addresses", split = ",",
      description = "Source addresses to spread the sockets over; ranges vary the last octet: 127.0.0.2-127.0.0.5 "
          + "or 127.0.0.2-5. Each address has its own ephemeral ports (about 28k towards one server port).")
  List<String> localAddresses = new ArrayList<>();

  @Option(names = "--out", description = "JSON summary file (default: target/loadgen-SCENARIO-TIME.json).")
  Path out;

  /** The URLs without trailing slashes; fails unless each is ws:// or wss://. */
  List<String> cleanUrls() {
    List<String> clean = new ArrayList<>();
    for (String u : urls) {
      String s = u.trim().replaceAll("/+$", "");
      if (!s.startsWith("ws://") && !s.startsWith("wss://")) {
        throw new IllegalArgumentException("--urls takes ws:// or wss:// URLs, got " + u);
      }
      clean.add(s);
    }
    if (eventLoops < 1) {
      throw new IllegalArgumentException("--event-loops must be at least 1");
    }
    return clean;
  }

  /** The one URL of a command that drives a single node of ours. */
  String singleOursUrl(String command) {
    if (target != Target.OURS) {
      throw new IllegalArgumentException(command + " runs against ours only (--target ours)");
    }
    return cleanUrls().get(0);
  }

  List<String> expandedLocalAddresses() {
    return Addresses.expand(localAddresses);
  }

  Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("target", target.label());
    m.put("urls", urls);
    m.put("event_loops", eventLoops);
    m.put("native_transport", nativeTransport);
    m.put("pids", pids);
    if (!otherPids.isEmpty()) {
      m.put("other_pids", otherPids);
    }
    return m;
  }
}
