package io.rollingpaper.loadgen;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the idle scenario checks and records before it opens a socket: open-file limits, ports, the node's JVM. */
final class IdlePreflight {
  private IdlePreflight() {
  }

  /** Fails early on limits that would make the run fail half way; returns them for the summary. */
  static Map<String, Object> check(int connections, String pid, List<String> locals) {
    Map<String, Object> m = new LinkedHashMap<>();
    long self = NodeMemory.openFilesLimit("self");
    long selfHard = NodeMemory.openFilesHardLimit("self");
    m.put("loadgen_open_files_limit", self);
    if (self > 0 && connections + 200 > self) {
      throw new IllegalArgumentException(String.format("the load generator may open %d files (ulimit -n; hard limit %d): "
          + "raise it with `ulimit -n %d` in the shell that starts it, or open fewer connections", self, selfHard,
          connections + 1000));
    }
    if (pid != null) {
      if (!Files.isDirectory(Path.of("/proc", pid))) {
        throw new IllegalArgumentException("no process " + pid + " (--pid)");
      }
      long node = NodeMemory.openFilesLimit(pid);
      long nodeOpen = NodeMemory.openFiles(pid);
      m.put("node_open_files_limit", node);
      m.put("node_open_files_before", nodeOpen);
      if (node > 0 && nodeOpen >= 0 && nodeOpen + connections + 50 > node) {
        throw new IllegalArgumentException(String.format("the node (pid %s) may open %d files and has %d open: it cannot "
            + "hold %d more sockets; start it from a shell with a higher `ulimit -n` (it inherits the limit)", pid, node,
            nodeOpen, connections));
      }
    }
    long ports = ephemeralPorts();
    m.put("ephemeral_ports_per_source_address", ports);
    int sources = Math.max(1, locals.size());
    if (ports > 0 && (long) connections > (long) (0.97 * ports) * sources) {
      throw new IllegalArgumentException(String.format("%d sockets need more than %d source address(es): each has about %d "
          + "ephemeral ports; give --local-addresses 127.0.0.2-%d", connections, sources, ports,
          1 + (connections + (long) (0.97 * ports) - 1) / (long) (0.97 * ports)));
    }
    return m;
  }

  private static long ephemeralPorts() {
    try {
      // readAllLines, not readString: procfs reports a size that readString trusts and truncates to.
      String[] f = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+");
      return Long.parseLong(f[1]) - Long.parseLong(f[0]) + 1;
    } catch (Exception e) {
      return -1;
    }
  }

  /** The JVM options of the node's command line (-Xmx, -XX:…): they decide much of its memory. */
  static List<String> jvmOptions(String pid) {
    List<String> out = new ArrayList<>();
    try {
      String[] args = new String(Files.readAllBytes(Path.of("/proc", pid, "cmdline"))).split("\0");
      for (String a : args) {
        if (a.startsWith("-X") || a.startsWith("-XX")) {
          out.add(a);
        }
        if (a.equals("-jar")) {
          break;
        }
      }
    } catch (Exception e) {
      // unknown
    }
    return out;
  }
}
