package io.rollingpaper.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;

/** The charts from small summaries: valid PNGs of the asked size, and the runs read as the summaries say. */
class ChartsTest {
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  @TempDir
  Path dir;

  private Path fixture(String name) throws IOException {
    Path p = dir.resolve(name);
    try (InputStream in = ChartsTest.class.getResourceAsStream("/charts/" + name)) {
      Files.copy(in, p);
    }
    return p;
  }

  private static void assertPng(Path png, int width, int height) throws IOException {
    byte[] bytes = Files.readAllBytes(png);
    assertThat(Arrays.copyOf(bytes, 8)).isEqualTo(PNG_SIGNATURE);
    BufferedImage img = ImageIO.read(png.toFile());
    assertThat(img).isNotNull();
    assertThat(img.getWidth()).isEqualTo(width);
    assertThat(img.getHeight()).isEqualTo(height);
  }

  @Test
  void readsARampSummary() throws IOException {
    ChartRuns.Run run = ChartRuns.read(fixture("ramp.json"), null);
    assertThat(run.label()).isEqualTo("ramp");
    assertThat(run.scenario()).isEqualTo("ramp");
    assertThat(run.target()).isNull();
    assertThat(run.steps()).hasSize(3);
    assertThat(run.steps().get(2).withinBound()).isFalse();
    assertThat(run.best().delivered()).isEqualTo(14998.0);
    assertThat(run.best().p99()).isEqualTo(2.607);
    assertThat(run.p99BoundMs()).isEqualTo(50.0);
  }

  @Test
  void readsAFanoutSummaryAndItsTarget() throws IOException {
    ChartRuns.Run run = ChartRuns.read(fixture("fanout-peer.json"), null);
    assertThat(run.target()).isEqualTo("socketio");
    assertThat(run.steps()).hasSize(1);
    assertThat(run.best().delivered()).isEqualTo(4990.0);
    assertThat(run.best().cpuPer1000()).isEqualTo(0.15);
  }

  @Test
  void refusesOtherSummaries() throws IOException {
    Path storm = dir.resolve("storm.json");
    Files.writeString(storm, "{\"scenario\":\"join-storm\",\"result\":{\"snapshots\":10}}");
    assertThatThrownBy(() -> ChartRuns.read(storm, null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a ramp or fanout summary");
  }

  @Test
  void rampChartsAreWrittenNextToTheSummary() throws IOException {
    List<Path> pngs = Charts.writeRampCharts(fixture("ramp.json"), 800, 500);
    assertThat(pngs).containsExactly(dir.resolve("ramp-latency.png"), dir.resolve("ramp-rate.png"));
    for (Path png : pngs) {
      assertPng(png, 800, 500);
    }
  }

  @Test
  void chartCommandDrawsTheComparisons() throws IOException {
    Path ramp = fixture("ramp.json");
    Path peer = fixture("fanout-peer.json");
    Path out = dir.resolve("out");
    int code = new CommandLine(new ChartCommand()).execute("--out-dir", out.toString(), "--prefix", "cmp",
        "--width", "640", "--height", "400", "--label", "ours", ramp.toString(), peer.toString());
    assertThat(code).isZero();
    for (String name : List.of("cmp-latency.png", "cmp-max-rate.png", "cmp-cpu.png")) {
      assertPng(out.resolve(name), 640, 400);
    }
  }

  @Test
  void labelsComeFromTheOptionThenTheTargetThenTheFileName() {
    List<Path> files = List.of(Path.of("a/ours.json"), Path.of("b/peer-1.json"), Path.of("b/peer-2.json"), Path.of("old.json"));
    assertThat(ChartRuns.labels(files, List.of("rpl"), Arrays.asList("rpl", "socketio", "socketio", null)))
        .containsExactly("rpl", "socketio (peer-1)", "socketio (peer-2)", "old");
    assertThat(ChartRuns.labels(files.subList(0, 2), List.of(), Arrays.asList("rpl", "socketio")))
        .containsExactly("rpl", "socketio");
  }

  @Test
  void theTableNamesEachRunsBestStep() throws IOException {
    ChartRuns.Run ramp = ChartRuns.read(fixture("ramp.json"), "ours");
    String table = ChartCommand.table(List.of(ramp));
    assertThat(table).contains("| ours | ramp | 14,998 | 0.57 | 2.61 | 6.02 | 0.042 | step 3: p99 96.90 ms > 50 ms |");
  }
}
