package io.rollingpaper.node.paper;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** How the periodic round splits a node's papers over one interval. */
class PeriodicRoundSlicesTest {

  @Test
  void longIntervalsGoInTenSlicesAndShortOnesInSlicesOfAtLeast100Ms() {
    assertThat(PeriodicRound.slicesOf(Duration.ofSeconds(10))).isEqualTo(10);
    assertThat(PeriodicRound.slicesOf(Duration.ofMinutes(5))).isEqualTo(PeriodicRound.MAX_SLICES);
    assertThat(PeriodicRound.slicesOf(Duration.ofMillis(300))).isEqualTo(3);
    assertThat(PeriodicRound.slicesOf(Duration.ofMillis(250))).isEqualTo(2);
    assertThat(PeriodicRound.slicesOf(Duration.ofMillis(50))).isEqualTo(1);
  }

  @Test
  void everyPaperIsInExactlyOneSliceAndTheSlicesShareThePapers() {
    int slices = 10;
    int[] perSlice = new int[slices];
    Set<String> seen = new HashSet<>();
    IntStream.range(0, 1000).mapToObj(i -> "paper-" + i).forEach(paper -> {
      int slice = PeriodicRound.sliceOf(paper, slices);
      assertThat(slice).isBetween(0, slices - 1);
      assertThat(PeriodicRound.sliceOf(paper, slices)).as("stable").isEqualTo(slice);
      seen.add(paper);
      perSlice[slice]++;
    });
    assertThat(seen).hasSize(1000);
    assertThat(IntStream.of(perSlice).boxed().toList()).as("no slice carries the round")
        .allSatisfy(count -> assertThat(count).isBetween(50, 150));
    assertThat(PeriodicRound.sliceOf("anything", 1)).isZero();
  }
}
