package io.rollingpaper.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

/** The user/system split read from /proc/PID/stat text, and the sums the meter writes from it. */
class ProcStatTest {

  // A stat line whose command name holds spaces and a ')' (a thread may name itself so): utime 1234, stime 567.
  private static final String STAT = "4242 (vert.x-eventloo) x) S 1 4242 4242 0 -1 4194560 9000 0 12 0 1234 567 "
      + "0 0 20 0 31 0 47579 4133440000 60000 18446744073709551615 1 1 0 0 0 0 0 4096 17 1 0 0 0 0 0";

  @Test
  void readsUtimeAndStimeAfterTheLastParenthesis() {
    assertThat(ProcStat.parseUserSystem(STAT)).containsExactly(1234L, 567L);
  }

  @Test
  void sumsGiveUserAndSystemSecondsPerThousand() {
    Map<String, Object> out = new LinkedHashMap<>();
    CpuMeter.putUserSystemSums(out, "server_", new double[] {3.0, 1.5}, 10_000, "cpu_s_per_1000_delivered");
    assertThat(out).containsEntry("server_user_s", 3.0).containsEntry("server_system_s", 1.5)
        .containsEntry("server_user_s_per_1000_delivered", 0.3)
        .containsEntry("server_system_s_per_1000_delivered", 0.15);
  }

  @Test
  void aMissingReadingLeavesTheSumsEmptyButPresent() {
    Map<String, Object> out = new LinkedHashMap<>();
    CpuMeter.putUserSystemSums(out, "server_", null, 10_000, "cpu_s_per_1000_delivered");
    assertThat(out).containsKeys("server_user_s", "server_system_s").containsEntry("server_system_s", null);
  }

  @Test
  void theMeterSplitsItsOwnProcess() {
    String self = ProcStat.selfPid();
    CpuMeter meter = new CpuMeter(java.util.List.of(self), 100);
    meter.start();
    meter.end();
    Map<String, Object> f = meter.figures(1000, "delivered");
    assertThat(f).containsKeys("server_cpu_s", "server_user_s", "server_system_s",
        "server_system_s_per_1000_delivered");
  }
}
