package io.rollingpaper.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The machine's stall probe: it wakes about every millisecond while it runs, and not after it stopped. */
@Timeout(30)
class StallProbeTest {

  @Test
  void itWakesAboutEveryMillisecondAndStopsWhenToldTo() throws InterruptedException {
    StallProbe probe = new StallProbe();
    probe.start();
    // A window of at least 300 ms, waited on a latch nobody counts down.
    new CountDownLatch(1).await(300, TimeUnit.MILLISECONDS);
    probe.stop();
    Map<String, Object> first = probe.figures();
    new CountDownLatch(1).await(100, TimeUnit.MILLISECONDS);
    Map<String, Object> later = probe.figures();

    // 1-ms sleeps over >= 0.3 s: at most 300 wake-ups, and even a slow machine gets dozens.
    assertThat((Long) first.get("wakeups")).isBetween(30L, 300L);
    assertThat(later.get("wakeups")).as("no wake-up recorded after stop").isEqualTo(first.get("wakeups"));
    assertThat((Double) first.get("late_max_ms")).isGreaterThanOrEqualTo((Double) first.get("late_p99_ms"));
    assertThat(first).containsKeys("late_5ms_or_more", "loadgen_gc_pauses", "loadgen_gc_pause_ms", "window_s");
  }
}
