package io.rollingpaper.loadgen;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "chart", mixinStandardHelpOptions = true,
    description = "Draws comparison PNGs from ramp and fanout JSON summaries: latency percentiles against delivered "
        + "rate, the highest sustained rate per run, and server CPU per 1,000 delivered; prints a Markdown table of "
        + "the runs. A run is named by --label, else by the summary's \"target\", else by its file name.")
final class ChartCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "SUMMARY.json", description = "Ramp or fanout summaries.")
  List<Path> files;

  @Option(names = "--label", description = "Name of a run, once per file in the same order (may be given for the first few only).")
  List<String> labels = new ArrayList<>();

  @Option(names = "--out-dir", description = "Where to write the PNGs (default: the first summary's directory).")
  Path outDir;

  @Option(names = "--prefix", defaultValue = "compare", description = "File name prefix of the PNGs (default: ${DEFAULT-VALUE}).")
  String prefix;

  @Option(names = "--percentiles", split = ",", defaultValue = "p50,p90,p99,p99.9",
      description = "Percentiles drawn in the latency comparison (default: ${DEFAULT-VALUE}).")
  List<String> percentiles;

  @Option(names = "--each", description = "Also draw each ramp's own charts (NAME-latency.png, NAME-rate.png) next to its JSON.")
  boolean each;

  @Option(names = "--width", defaultValue = "" + Charts.WIDTH, description = "Width in pixels (default: ${DEFAULT-VALUE}).")
  int width;

  @Option(names = "--height", defaultValue = "" + Charts.HEIGHT, description = "Height in pixels (default: ${DEFAULT-VALUE}).")
  int height;

  @Override
  public Integer call() throws Exception {
    for (String p : percentiles) {
      if (!Charts.PERCENTILES.contains(p) && !p.equals("max")) {
        throw new IllegalArgumentException("--percentiles takes p50, p90, p99, p99.9, max; got " + p);
      }
    }
    if (labels.size() > files.size()) {
      throw new IllegalArgumentException(labels.size() + " labels for " + files.size() + " files");
    }
    List<String> targets = new ArrayList<>();
    for (Path f : files) {
      targets.add(ChartRuns.read(f, null).target());
    }
    List<String> names = ChartRuns.labels(files, labels, targets);
    List<ChartRuns.Run> runs = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      runs.add(ChartRuns.read(files.get(i), names.get(i)));
    }
    Path dir = outDir != null ? outDir : files.get(0).toAbsolutePath().getParent();
    List<Path> written = new ArrayList<>();
    Path latency = dir.resolve(prefix + "-latency.png");
    Charts.save(Charts.compareLatency(runs, percentiles), latency, width, height);
    written.add(latency);
    Path rate = dir.resolve(prefix + "-max-rate.png");
    Charts.save(Charts.compareMaxRate(runs), rate, width, height);
    written.add(rate);
    Path cpu = dir.resolve(prefix + "-cpu.png");
    Charts.save(Charts.compareCpu(runs), cpu, width, height);
    written.add(cpu);
    if (each) {
      for (ChartRuns.Run run : runs) {
        if ("ramp".equals(run.scenario())) {
          written.addAll(Charts.writeRampCharts(run.file(), width, height));
        }
      }
    }
    System.out.println(table(runs));
    for (Path p : written) {
      System.out.println("wrote " + p);
    }
    return 0;
  }

  /** A Markdown table: each run's highest sustained step. */
  static String table(List<ChartRuns.Run> runs) {
    StringBuilder sb = new StringBuilder();
    sb.append("| run | scenario | highest sustained delivered msg/s | p50 ms | p99 ms | p99.9 ms | server CPU s per 1,000 | stop |\n");
    sb.append("|---|---|---|---|---|---|---|---|\n");
    for (ChartRuns.Run r : runs) {
      ChartRuns.Step b = r.best();
      sb.append("| ").append(r.label()).append(" | ").append(r.scenario()).append(" | ");
      if (b == null) {
        sb.append("none | | | | | ");
      } else {
        sb.append(String.format(Locale.ROOT, "%,.0f | %.2f | %.2f | %.2f | %.3f | ", b.delivered(), b.p50(), b.p99(),
            b.p999(), b.cpuPer1000()));
      }
      sb.append(r.stopReason() == null ? "" : r.stopReason().replace("|", "\\|")).append(" |\n");
    }
    return sb.toString();
  }
}
