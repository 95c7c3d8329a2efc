package io.rollingpaper.loadgen;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "fanout", mixinStandardHelpOptions = true,
    description = "P papers x C clients; each paper's clients send note.put ops in turn at R ops/s per paper, "
        + "every client records the end-to-end latency of every delta it receives.")
final class FanoutCommand implements Callable<Integer> {
  @Mixin
  ConnectionOptions connection;

  @Mixin
  FanoutOptions options;

  @Option(names = "--rate", defaultValue = "50", description = "Ops per second per paper (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--duration", defaultValue = "20s", description = "Measured window (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--warmup", defaultValue = "5s", description = "Load before the window, not measured (default: ${DEFAULT-VALUE}).")
  Duration warmup;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (rate <= 0) {
      throw new IllegalArgumentException("--rate must be positive");
    }
    try (FanoutEngine engine = new FanoutEngine(options.engineConfig(connection))) {
      engine.connect();
      System.out.printf("fanout: %.1f ops/s per paper, warm-up %s, window %s%n", rate, DurationConverter.format(warmup),
          DurationConverter.format(duration));
      FanoutEngine.StepResult r = engine.runStep(rate, warmup, duration, options.drain);
      Report.printStep(r);
      Map<String, Object> summary = new LinkedHashMap<>();
      summary.put("scenario", "fanout");
      summary.put("command", "java -jar rolling-paper-loadgen.jar " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
      summary.put("machine", Report.machine());
      Map<String, Object> config = options.describe(connection);
      config.put("rate_per_paper", rate);
      config.put("warmup_s", warmup.toMillis() / 1000.0);
      config.put("duration_s", duration.toMillis() / 1000.0);
      summary.put("config", config);
      summary.put("result", Report.step(r));
      Report.write(summary, connection.out, "fanout");
      return r.errorCount() == 0 && r.unacked() == 0 ? 0 : 1;
    }
  }
}
