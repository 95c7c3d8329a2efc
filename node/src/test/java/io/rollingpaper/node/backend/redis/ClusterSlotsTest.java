package io.rollingpaper.node.backend.redis;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Hash slots as Redis Cluster computes them (the cluster specification and CLUSTER KEYSLOT's documentation). */
class ClusterSlotsTest {

  @Test
  void crc16IsXmodemAsTheClusterSpecificationGivesIt() {
    assertThat(ClusterSlots.crc16("123456789".getBytes(StandardCharsets.US_ASCII))).isEqualTo(0x31C3);
    assertThat(ClusterSlots.crc16(new byte[0])).isZero();
  }

  @Test
  void keysWithoutATagHashWhole() {
    // CLUSTER KEYSLOT's documented examples, and well-known slots.
    assertThat(ClusterSlots.of("somekey")).isEqualTo(11058);
    assertThat(ClusterSlots.of("foo")).isEqualTo(12182);
    assertThat(ClusterSlots.of("bar")).isEqualTo(5061);
    assertThat(ClusterSlots.of("hello")).isEqualTo(866);
  }

  @Test
  void aHashTagHashesOnlyWhatIsBetweenTheFirstBraces() {
    assertThat(ClusterSlots.of("foo{hash_tag}")).isEqualTo(2515);
    assertThat(ClusterSlots.of("{user1000}.following")).isEqualTo(ClusterSlots.of("{user1000}.followers"))
        .isEqualTo(ClusterSlots.of("user1000"));
    assertThat(ClusterSlots.of("foo{bar}{zap}")).as("only the first tag counts").isEqualTo(ClusterSlots.of("bar"));
    assertThat(ClusterSlots.of("foo{{bar}}zap")).as("from the first { to the next }").isEqualTo(ClusterSlots.of("{bar"));
  }

  @Test
  void anEmptyOrUnclosedTagHashesTheWholeKey() {
    assertThat(ClusterSlots.of("foo{}{bar}")).isEqualTo(ClusterSlots.crc16(
        "foo{}{bar}".getBytes(StandardCharsets.UTF_8)) & (ClusterSlots.COUNT - 1)).isEqualTo(8363);
    assertThat(ClusterSlots.of("foo{bar")).isEqualTo(ClusterSlots.crc16(
        "foo{bar".getBytes(StandardCharsets.UTF_8)) & (ClusterSlots.COUNT - 1));
  }

  @Test
  void aPapersKeysAndChannelShareItsSlot() {
    RedisKeys keys = new RedisKeys("paper-1");
    int slot = ClusterSlots.of(keys.channel());
    assertThat(slot).isEqualTo(ClusterSlots.of("paper-1")).isEqualTo(1640);
    assertThat(keys.scriptKeys()).allSatisfy(key -> assertThat(ClusterSlots.of(key)).isEqualTo(slot));
  }

  @Test
  void everySlotIsBelowTheSlotCount() {
    for (int i = 0; i < 10_000; i++) {
      assertThat(ClusterSlots.of("k" + i)).isBetween(0, ClusterSlots.COUNT - 1);
    }
  }
}
