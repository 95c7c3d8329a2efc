package io.rollingpaper.loadgen;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The idle scenario's figures: the node's own counts, memory per connection, the targets, and their summary. */
final class IdleFigures {
  static final long TARGET_CONNECTIONS = 50_000;
  static final long TARGET_BYTES_PER_CONNECTION = 5_000;
  static final double TARGET_IDLE_CPU_PCT = 5.0;

  private IdleFigures() {
  }

  /** rpl_connections and rpl_papers from the node's /metrics, when it answers. */
  static Map<String, Double> scrape(String httpBase) {
    Map<String, Double> m = new LinkedHashMap<>();
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(httpBase + "/metrics"))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        m.putAll(parseMetrics(r.body(), "rpl_connections", "rpl_papers"));
      }
    } catch (Exception e) {
      // the target may not expose /metrics
    }
    return m;
  }

  /** The values of unlabelled Prometheus samples (summed over labels when labelled). */
  static Map<String, Double> parseMetrics(String text, String... names) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("#")) {
        continue;
      }
      for (String name : names) {
        if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
          try {
            double v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim());
            m.merge(name, v, Double::sum);
          } catch (NumberFormatException e) {
            // not a sample
          }
        }
      }
    }
    return m;
  }

  static Map<String, Object> memory(NodeMemory.Reading before, NodeMemory.Reading after, long n, int top) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sessions", n);
    m.put("before", before.describe());
    m.put("after", after.describe());
    Map<String, Object> per = new LinkedHashMap<>();
    per.put("rss_bytes", round(NodeMemory.perConnection(before.rssBytes(), after.rssBytes(), n)));
    per.put("rss_anon_bytes", round(NodeMemory.perConnection(before.rssAnonBytes(), after.rssAnonBytes(), n)));
    per.put("heap_live_bytes_after_full_gc", round(NodeMemory.perConnection(before.heapLiveBytes(), after.heapLiveBytes(), n)));
    per.put("heap_committed_bytes", round(NodeMemory.perConnection(before.heapCommittedBytes(), after.heapCommittedBytes(), n)));
    m.put("per_connection", per);
    m.put("heap_growth_by_class_per_connection", NodeMemory.classGrowth(before.classes(), after.classes(), n, top));
    return m;
  }

  private static Object round(Double v) {
    return v == null ? null : CpuMeter.round(v, 1);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> targets(long n, Map<String, Object> result) {
    Map<String, Object> t = new LinkedHashMap<>();
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("target", TARGET_CONNECTIONS);
    c.put("measured", n);
    c.put("met", n >= TARGET_CONNECTIONS);
    t.put("connections", c);
    Map<String, Object> mem = (Map<String, Object>) result.get("memory");
    Object rss = mem == null ? null : ((Map<String, Object>) mem.get("per_connection")).get("rss_bytes");
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("target_max", TARGET_BYTES_PER_CONNECTION);
    r.put("measured", rss);
    r.put("met", rss instanceof Number x ? x.doubleValue() <= TARGET_BYTES_PER_CONNECTION : null);
    t.put("rss_bytes_per_connection", r);
    Object cpu = ((Map<String, Object>) result.get("idle")).get("node_cpu_pct_of_core");
    Map<String, Object> i = new LinkedHashMap<>();
    i.put("target_below", TARGET_IDLE_CPU_PCT);
    i.put("measured", cpu);
    i.put("met", cpu instanceof Number x ? x.doubleValue() < TARGET_IDLE_CPU_PCT : null);
    t.put("idle_cpu_pct_of_core", i);
    return t;
  }

  @SuppressWarnings("unchecked")
  static void printSummary(long n, Map<String, Object> result) {
    Map<String, Object> mem = (Map<String, Object>) result.get("memory");
    if (mem != null) {
      Map<String, Object> per = (Map<String, Object>) mem.get("per_connection");
      System.out.printf("  per connection (%d sessions): RSS %s B (anonymous %s B), live heap after full GC %s B, "
          + "committed heap %s B%n", n, per.get("rss_bytes"), per.get("rss_anon_bytes"),
          per.get("heap_live_bytes_after_full_gc"), per.get("heap_committed_bytes"));
      List<Map<String, Object>> classes = (List<Map<String, Object>>) mem.get("heap_growth_by_class_per_connection");
      if (!classes.isEmpty()) {
        System.out.println("  live heap growth per connection, by class:");
        for (Map<String, Object> c : classes) {
          System.out.printf("    %8s B  %6s objects  %s%n", c.get("bytes_per_connection"), c.get("instances_per_connection"),
              c.get("class"));
        }
      }
    }
    Map<String, Object> t = (Map<String, Object>) result.get("targets");
    Map<String, Object> rss = (Map<String, Object>) t.get("rss_bytes_per_connection");
    Map<String, Object> cpu = (Map<String, Object>) t.get("idle_cpu_pct_of_core");
    Map<String, Object> conns = (Map<String, Object>) t.get("connections");
    System.out.printf("  targets: %s sessions (target %s: %s); RSS %s B per connection (target <= %s: %s); idle CPU %s%% "
        + "of a core (target < %s: %s)%n", conns.get("measured"), conns.get("target"), yes(conns.get("met")),
        rss.get("measured"), rss.get("target_max"), yes(rss.get("met")), cpu.get("measured"), cpu.get("target_below"),
        yes(cpu.get("met")));
  }

  private static String yes(Object met) {
    return met == null ? "not measured" : Boolean.TRUE.equals(met) ? "met" : "not met";
  }

  static String describe(NodeMemory.Reading r) {
    return String.format("RSS %s, anonymous %s; live heap %s; heap used %s of %s committed", mib(r.rssBytes()),
        mib(r.rssAnonBytes()), mib(r.heapLiveBytes()), mib(r.heapUsedBytes()), mib(r.heapCommittedBytes()));
  }

  private static String mib(long bytes) {
    return bytes < 0 ? "?" : String.format("%.1f MiB", bytes / 1048576.0);
  }

  static String fmt(Double v) {
    return v == null ? "?" : String.format("%.0f", v);
  }
}
