package io.rollingpaper.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.util.Map;

/** INFO commandstats as Redis 7 writes it, and the per-window figures taken from two readings. */
class RedisCommandStatsTest {

  private static final String BEFORE = "# Commandstats\r\n"
      + "cmdstat_evalsha:calls=100,usec=3000,usec_per_call=30.00,rejected_calls=0,failed_calls=0\r\n"
      + "cmdstat_hset:calls=100,usec=200,usec_per_call=2.00,rejected_calls=0,failed_calls=0\r\n"
      + "cmdstat_ping:calls=1,usec=1,usec_per_call=1.00,rejected_calls=0,failed_calls=0\r\n";
  private static final String AFTER = "# Commandstats\r\n"
      + "cmdstat_evalsha:calls=300,usec=7000,usec_per_call=23.33,rejected_calls=0,failed_calls=0\r\n"
      + "cmdstat_hset:calls=300,usec=600,usec_per_call=2.00,rejected_calls=0,failed_calls=0\r\n"
      + "cmdstat_publish:calls=200,usec=1000,usec_per_call=5.00,rejected_calls=0,failed_calls=0\r\n"
      + "cmdstat_ping:calls=1,usec=1,usec_per_call=1.00,rejected_calls=0,failed_calls=0\r\n";

  @Test
  void parsesCallsAndMicrosecondsByCommand() {
    Map<String, RedisCommandStats.Counter> m = RedisCommandStats.parse(BEFORE);
    assertThat(m).containsEntry("evalsha", new RedisCommandStats.Counter(100, 3000))
        .containsEntry("hset", new RedisCommandStats.Counter(100, 200)).hasSize(3);
  }

  @Test
  void theWindowHoldsOnlyWhatRanInIt() {
    Map<String, Object> w = RedisCommandStats.window(RedisCommandStats.parse(BEFORE), RedisCommandStats.parse(AFTER), 2.0);
    assertThat(w).containsOnlyKeys("evalsha", "hset", "publish");
    @SuppressWarnings("unchecked")
    Map<String, Object> evalsha = (Map<String, Object>) w.get("evalsha");
    assertThat(evalsha).containsEntry("calls", 200L).containsEntry("usec_per_call", 20.0)
        .containsEntry("calls_per_s", 100.0);
  }
}
