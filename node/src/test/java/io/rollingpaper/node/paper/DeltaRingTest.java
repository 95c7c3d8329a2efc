package io.rollingpaper.node.paper;

import io.rollingpaper.node.transport.OutboundFrame;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The ring holds the last {@code capacity} deltas by seq, across wrap-around and resets. */
class DeltaRingTest {

  private static OutboundFrame frame(long seq) {
    return OutboundFrame.of("{\"seq\":" + seq + "}");
  }

  @Test
  void wrapsAroundKeepingExactlyTheLastCapacityDeltas() {
    DeltaRing ring = new DeltaRing(4, 10);
    OutboundFrame[] appended = new OutboundFrame[21];
    for (long seq = 11; seq <= 20; seq++) {
      appended[(int) seq] = frame(seq);
      ring.append(appended[(int) seq]);
    }

    assertThat(ring.last()).isEqualTo(20);
    for (long seq = 17; seq <= 20; seq++) {
      assertThat(ring.get(seq)).as("seq %d", seq).isSameAs(appended[(int) seq]);
    }
    assertThat(ring.get(16)).as("overwritten by the wrap").isNull();
    assertThat(ring.get(21)).as("not relayed yet").isNull();
  }

  @Test
  void holdsOnlyWhatWasAppendedBeforeItIsFull() {
    DeltaRing ring = new DeltaRing(4, 10);
    OutboundFrame eleven = frame(11);
    ring.append(eleven);

    assertThat(ring.get(11)).isSameAs(eleven);
    assertThat(ring.get(10)).as("before the ring started").isNull();
    assertThat(ring.get(8)).as("an empty slot that a later seq maps to").isNull();
  }

  @Test
  void resetForgetsEverythingAndRestartsAfterTheNewSeq() {
    DeltaRing ring = new DeltaRing(4, 0);
    for (long seq = 1; seq <= 6; seq++) {
      ring.append(frame(seq));
    }

    ring.reset(100);

    assertThat(ring.last()).isEqualTo(100);
    assertThat(ring.get(6)).isNull();
    assertThat(ring.get(100)).isNull();
    OutboundFrame next = frame(101);
    ring.append(next);
    assertThat(ring.get(101)).isSameAs(next);
  }
}
