package io.rollingpaper.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollingpaper.protocol.FrameCodec;
import org.junit.jupiter.api.Test;

import java.time.Duration;

/** The fast delta scan against frames as the node's codec writes them. */
class FramesTest {

  private static String delta(long seq, String cid, String noteJson) {
    return FrameCodec.delta("lg-abc-3", seq, "lg7", cid, FrameCodec.putOpJson(noteJson));
  }

  @Test
  void findsSeqCidAndSendTimeInADelta() {
    String frame = delta(41, "c12_7", "{\"id\":\"n3\",\"t\":123456789012,\"text\":\"xx\",\"author\":\"lg12\"}");
    assertThat(frame).startsWith(Frames.DELTA_PREFIX);
    assertThat(Frames.seq(frame, Frames.DELTA_PREFIX.length())).isEqualTo(41);
    int cid = Frames.cidValue(frame);
    assertThat(frame.startsWith("\"c12_", cid)).isTrue();
    assertThat(frame.startsWith("\"c1_", cid)).isFalse();
    assertThat(Frames.sendTime(frame, cid)).isEqualTo(123456789012L);
  }

  @Test
  void aDeltaWithoutCidOrSendTime() {
    String frame = delta(1, null, "{\"id\":\"n3\",\"text\":\"hello\"}");
    int cid = Frames.cidValue(frame);
    assertThat(frame.startsWith("null", cid)).isTrue();
    assertThat(Frames.sendTime(frame, cid)).isEqualTo(-1);
  }

  @Test
  void parseLongStopsAtTheFirstNonDigit() {
    assertThat(Frames.parseLong("\"seq\":907,", 6)).isEqualTo(907);
    assertThat(Frames.parseLong("\"seq\":x", 6)).isEqualTo(-1);
  }

  @Test
  void durations() {
    DurationConverter c = new DurationConverter();
    assertThat(c.convert("20s")).isEqualTo(Duration.ofSeconds(20));
    assertThat(c.convert("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(c.convert("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(c.convert("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.convert("8")).isEqualTo(Duration.ofSeconds(8));
  }
}
