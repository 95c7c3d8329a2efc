package io.rollingpaper.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The idle scenario's arithmetic and parsing, without a node. */
class IdleTest {
  private static final String HISTOGRAM = """
      12345:
       num     #instances         #bytes  class name (module)
      -------------------------------------------------------
         1:         20000        3200000  [B (java.base@17.0.15)
         2:         10000         480000  io.rollingpaper.node.session.Session
         3:            10            240  java.lang.String (java.base@17.0.15)
      Total         30010        3680240
      """;

  @Test
  void perConnectionIsTheDeltaOverTheSessions() {
    assertThat(NodeMemory.perConnection(100_000_000L, 300_000_000L, 50_000)).isEqualTo(4000.0);
    assertThat(NodeMemory.perConnection(200L, 100L, 10)).isEqualTo(-10.0);
    assertThat(NodeMemory.perConnection(-1, 100, 10)).isNull();
    assertThat(NodeMemory.perConnection(1, 100, 0)).isNull();
  }

  @Test
  void idleCpuAsAShareOfACore() {
    // 45 ticks of 10 ms over 30 s: 0.45 s of CPU = 1.5% of a core
    assertThat(NodeMemory.pctOfCore(45, 100, 30)).isCloseTo(1.5, within(1e-9));
    assertThat(NodeMemory.pctOfCore(45, 100, 0)).isZero();
  }

  @Test
  void parsesAClassHistogram() {
    Map<String, long[]> h = NodeMemory.parseHistogram(HISTOGRAM);
    assertThat(h.get("<total>")).containsExactly(30010, 3680240);
    assertThat(h.get("[B")).containsExactly(20000, 3200000);
    assertThat(h.get("io.rollingpaper.node.session.Session")).containsExactly(10000, 480000);
  }

  @Test
  void classGrowthPerConnectionLargestFirst() {
    Map<String, long[]> before = NodeMemory.parseHistogram("""
           1:         10000        1200000  [B (java.base@17.0.15)
           2:            20            480  java.lang.String (java.base@17.0.15)
        Total         10020        1200480
        """);
    Map<String, long[]> after = NodeMemory.parseHistogram(HISTOGRAM);
    List<Map<String, Object>> g = NodeMemory.classGrowth(before, after, 10_000, 5);
    // [B grew by 2,000,000 bytes and 10,000 objects; Session by 480,000; String shrank and is left out
    assertThat(g).hasSize(2);
    assertThat(g.get(0)).containsEntry("class", "[B").containsEntry("bytes_per_connection", 200.0)
        .containsEntry("instances_per_connection", 1.0);
    assertThat(g.get(1)).containsEntry("class", "io.rollingpaper.node.session.Session")
        .containsEntry("bytes_per_connection", 48.0);
  }

  @Test
  void memoryAndTargets() {
    NodeMemory.Reading before = new NodeMemory.Reading(150_000_000L, 100_000_000L, 20_000_000L, 30_000_000L,
        260_000_000L, Map.of());
    NodeMemory.Reading after = new NodeMemory.Reading(350_000_000L, 290_000_000L, 120_000_000L, 130_000_000L,
        510_000_000L, Map.of());
    Map<String, Object> memory = IdleFigures.memory(before, after, 50_000, 10);
    @SuppressWarnings("unchecked")
    Map<String, Object> per = (Map<String, Object>) memory.get("per_connection");
    assertThat(per).containsEntry("rss_bytes", 4000.0).containsEntry("rss_anon_bytes", 3800.0)
        .containsEntry("heap_live_bytes_after_full_gc", 2000.0).containsEntry("heap_committed_bytes", 5000.0);

    Map<String, Object> result = new LinkedHashMap<>();
    result.put("memory", memory);
    result.put("idle", Map.of("node_cpu_pct_of_core", 1.2));
    Map<String, Object> t = IdleFigures.targets(50_000, result);
    assertThat(t.get("connections")).isEqualTo(Map.of("target", 50_000L, "measured", 50_000L, "met", true));
    assertThat(t.get("rss_bytes_per_connection")).isEqualTo(Map.of("target_max", 5000L, "measured", 4000.0, "met", true));
    assertThat(t.get("idle_cpu_pct_of_core")).isEqualTo(Map.of("target_below", 5.0, "measured", 1.2, "met", true));

    result.put("idle", Map.of("node_cpu_pct_of_core", 7.0));
    assertThat(IdleFigures.targets(20_000, result).get("idle_cpu_pct_of_core"))
        .isEqualTo(Map.of("target_below", 5.0, "measured", 7.0, "met", false));
    assertThat(IdleFigures.targets(20_000, result).get("connections"))
        .isEqualTo(Map.of("target", 50_000L, "measured", 20_000L, "met", false));
  }

  @Test
  void sourceAddressRanges() {
    assertThat(Addresses.expand(List.of("127.0.0.2-127.0.0.4", "127.0.0.9", "127.0.1.1-2")))
        .containsExactly("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.9", "127.0.1.1", "127.0.1.2");
    assertThatThrownBy(() -> Addresses.expand(List.of("127.0.0.5-127.0.1.6"))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Addresses.expand(List.of("127.0.0.5-3"))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void readsTheNodesSessionCountFromPrometheusText() {
    String text = """
        # HELP rpl_connections Open WebSocket sessions
        # TYPE rpl_connections gauge
        rpl_connections 20000.0
        rpl_connections_total_bogus 3.0
        rpl_papers{node="a"} 500.0
        """;
    assertThat(IdleFigures.parseMetrics(text, "rpl_connections", "rpl_papers"))
        .containsEntry("rpl_connections", 20000.0).containsEntry("rpl_papers", 500.0).hasSize(2);
  }
}
