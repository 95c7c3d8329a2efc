package io.rollingpaper.node.backend.redis;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** How a node's round is cut into tick.lua calls, and each call's layout (tick.lua's header). */
class TickCallTest {

  private static Map<String, Map<String, String>> papers(int count) {
    Map<String, Map<String, String>> round = new LinkedHashMap<>();
    for (int k = 0; k < count; k++) {
      // Ids of no pattern: CRC16 gives ids that differ in two bytes or less distinct slots.
      round.put("p" + UUID.nameUUIDFromBytes(Integer.toString(k).getBytes(StandardCharsets.UTF_8)),
          k % 2 == 0 ? Map.of() : Map.of("u" + k, "U" + k));
    }
    return round;
  }

  @Test
  void aRoundIsCutIntoCallsOfAtMostMaxPapersEachPaperInOne() {
    List<TickCall> calls = TickCall.round("n1", Duration.ofSeconds(30), papers(250), "PUBLISH", false);
    assertThat(calls).hasSize(3);
    assertThat(calls.stream().map(call -> call.keys().size() / 2)).containsExactly(100, 100, 50);
    Set<String> metas = new HashSet<>();
    calls.forEach(call -> metas.addAll(call.keys().stream().filter(key -> key.endsWith(":meta")).toList()));
    assertThat(metas).hasSize(250);
  }

  @Test
  void eachPaperHasItsMetaAndPresenceKeysThenItsIdChannelAndUsers() {
    Map<String, Map<String, String>> round = new LinkedHashMap<>();
    round.put("a", Map.of());
    round.put("b", Map.of("bob", "Bob"));
    TickCall call = TickCall.round("n1", Duration.ofMillis(1500), round, "SPUBLISH", false).get(0);
    assertThat(call.keys()).containsExactly("rp:{a}:meta", "rp:{a}:presence", "rp:{b}:meta", "rp:{b}:presence");
    assertThat(call.args()).containsExactly("n1", "1500", "SPUBLISH", "\"a\"", "rp:{a}:ch", "0",
        "\"b\"", "rp:{b}:ch", "1", "bob", "Bob");
  }

  @Test
  void onAClusterEachCallsKeysShareOneSlot() {
    // 2,000 papers over 16,384 slots: about 120 slots hold two or more, so some calls carry several papers.
    Map<String, Map<String, String>> round = papers(2000);
    List<TickCall> calls = TickCall.round("n1", Duration.ofSeconds(30), round, "SPUBLISH", true);
    Map<Integer, Integer> callsBySlot = new HashMap<>();
    List<String> covered = new ArrayList<>();
    for (TickCall call : calls) {
      Set<Integer> slots = new HashSet<>();
      call.keys().forEach(key -> slots.add(ClusterSlots.of(key)));
      assertThat(slots).hasSize(1);
      callsBySlot.merge(slots.iterator().next(), 1, Integer::sum);
      call.keys().stream().filter(key -> key.endsWith(":meta")).forEach(covered::add);
    }
    assertThat(callsBySlot.values()).as("one call per slot").containsOnly(1);
    assertThat(calls).anyMatch(call -> call.keys().size() > 2);
    assertThat(covered).hasSize(2000).doesNotHaveDuplicates();
  }
}
