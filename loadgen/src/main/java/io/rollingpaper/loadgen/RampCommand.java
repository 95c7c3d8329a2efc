package io.rollingpaper.loadgen;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "ramp", mixinStandardHelpOptions = true,
    description = "Fanout steps on the same connections, raising the rate per paper by --factor each step until p99 "
        + "passes --p99-bound-ms, errors or closes appear, ops stay unacknowledged, or --max-steps; reports the "
        + "highest delivered rate within the bound. Writes a JSON summary and, next to it, PNG charts of latency and "
        + "delivered rate against the offered load.")
final class RampCommand implements Callable<Integer> {
  @Mixin
  ConnectionOptions connection;

  @Mixin
  FanoutOptions options;

  @Option(names = "--rate", defaultValue = "50", description = "Ops/s per paper of the first step (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--factor", defaultValue = "1.5", description = "Rate multiplier per step (default: ${DEFAULT-VALUE}).")
  double factor;

  @Option(names = "--step-duration", defaultValue = "6s", description = "Measured window per step (default: ${DEFAULT-VALUE}).")
  Duration stepDuration;

  @Option(names = "--step-warmup", defaultValue = "2s", description = "Warm-up per step (default: ${DEFAULT-VALUE}).")
  Duration stepWarmup;

  @Option(names = "--initial-warmup", defaultValue = "10s",
      description = "Extra unmeasured load at the first rate before step 1, so fresh servers are past their JIT "
          + "warm-up (default: ${DEFAULT-VALUE}).")
  Duration initialWarmup;

  @Option(names = "--max-steps", defaultValue = "10", description = "At most this many steps (default: ${DEFAULT-VALUE}).")
  int maxSteps;

  @Option(names = "--p99-bound-ms", defaultValue = "50", description = "Latency bound for p99 (default: ${DEFAULT-VALUE}).")
  double p99BoundMs;

  @Option(names = "--min-delivered-ratio", defaultValue = "0.95",
      description = "A step whose delivered rate is below this share of the expected one fails (default: ${DEFAULT-VALUE}).")
  double minDeliveredRatio;

  @Option(names = "--saturation-pid",
      description = "A server process (e.g. Redis) whose saturation ends the ramp: the step in which it used more than "
          + "--saturation-pct of a core is the last (it still counts if within the bound).")
  String saturationPid;

  @Option(names = "--saturation-pct", defaultValue = "90",
      description = "See --saturation-pid (default: ${DEFAULT-VALUE}).")
  double saturationPct;

  @Option(names = "--charts", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Write NAME-latency.png and NAME-rate.png next to the JSON summary (default: ${DEFAULT-VALUE}).")
  boolean charts;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (rate <= 0 || factor <= 1 || maxSteps < 1) {
      throw new IllegalArgumentException("--rate must be positive, --factor above 1, --max-steps at least 1");
    }
    List<Map<String, Object>> steps = new ArrayList<>();
    FanoutEngine.StepResult best = null;
    String stopReason = "max steps reached";
    try (FanoutEngine engine = new FanoutEngine(options.engineConfig(connection))) {
      engine.connect();
      double r = rate;
      for (int i = 1; i <= maxSteps; i++) {
        System.out.printf("%nstep %d/%d: %.1f ops/s per paper%n", i, maxSteps, r);
        Duration warmup = i == 1 ? stepWarmup.plus(initialWarmup) : stepWarmup;
        FanoutEngine.StepResult step = engine.runStep(r, warmup, stepDuration, options.drain);
        Report.printStep(step);
        String failure = failure(step);
        Map<String, Object> m = Report.step(step);
        m.put("within_bound", failure == null);
        if (failure != null) {
          m.put("failure", failure);
        }
        steps.add(m);
        if (failure != null) {
          stopReason = "step " + i + ": " + failure;
          break;
        }
        best = step;
        Double saturated = saturationPid == null ? null : cpuPct(step, saturationPid);
        if (saturated != null && saturated > saturationPct) {
          stopReason = String.format("step %d: pid %s used %.0f%% of a core (> %.0f%%)", i, saturationPid, saturated,
              saturationPct);
          break;
        }
        r = Math.round(r * factor * 10) / 10.0;
      }
    }
    System.out.println();
    System.out.println("stopped: " + stopReason);
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("scenario", "ramp");
    summary.put("command", "java -jar rolling-paper-loadgen.jar " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
    summary.put("machine", Report.machine());
    Map<String, Object> config = options.describe(connection);
    config.put("start_rate_per_paper", rate);
    config.put("factor", factor);
    config.put("initial_warmup_s", initialWarmup.toMillis() / 1000.0);
    config.put("step_warmup_s", stepWarmup.toMillis() / 1000.0);
    config.put("step_duration_s", stepDuration.toMillis() / 1000.0);
    config.put("max_steps", maxSteps);
    config.put("p99_bound_ms", p99BoundMs);
    config.put("saturation_pid", saturationPid);
    config.put("saturation_pct", saturationPct);
    summary.put("config", config);
    summary.put("stop_reason", stopReason);
    if (best != null) {
      Map<String, Object> b = new LinkedHashMap<>();
      b.put("rate_per_paper", best.ratePerPaper);
      b.put("offered_ops_per_s", best.ratePerPaper * best.papers);
      b.put("delivered_per_s", CpuMeter.round(best.deliveredPerSecond(), 1));
      b.put("latency", Report.latency(best.latency));
      b.put("cpu", best.cpu);
      summary.put("best_within_bound", b);
      System.out.printf("highest sustained within p99 <= %.0f ms: %.0f delivered msg/s at %.1f ops/s per paper (%s)%n",
          p99BoundMs, best.deliveredPerSecond(), best.ratePerPaper, Report.latencyLine(best.latency));
    } else {
      summary.put("best_within_bound", null);
      System.out.println("no step stayed within the bound");
    }
    summary.put("steps", steps);
    Path json = Report.write(summary, connection.out, "ramp");
    if (charts) {
      try {
        for (Path png : Charts.writeRampCharts(json, Charts.WIDTH, Charts.HEIGHT)) {
          System.out.println("wrote " + png);
        }
      } catch (Exception | Error e) {
        // The summary is written; a chart that fails must not lose the run.
        System.err.println("ramp: the charts could not be drawn: " + e);
      }
    }
    return best != null ? 0 : 1;
  }

  @SuppressWarnings("unchecked")
  private static Double cpuPct(FanoutEngine.StepResult s, String pid) {
    if (s.cpu == null || !(s.cpu.get("server_processes") instanceof List<?> procs)) {
      return null;
    }
    for (Object o : procs) {
      Map<String, Object> p = (Map<String, Object>) o;
      if (pid.equals(p.get("pid")) && p.get("cpu_pct_of_core") instanceof Number n) {
        return n.doubleValue();
      }
    }
    return null;
  }

  private String failure(FanoutEngine.StepResult s) {
    if (s.errorCount() > 0) {
      return "errors/closes " + s.errors + " " + s.closes + (s.lostClients > 0 ? " lost clients " + s.lostClients : "");
    }
    if (s.latency.getTotalCount() == 0) {
      return "no deliveries";
    }
    if (s.p99Ms() > p99BoundMs) {
      return String.format("p99 %.2f ms > %.0f ms", s.p99Ms(), p99BoundMs);
    }
    if (s.unacked() > 0) {
      return s.unacked() + " ops unacknowledged after the drain";
    }
    if (s.skipped > 0) {
      return "the load generator fell behind (" + s.skipped + " ops skipped)";
    }
    double expected = s.ratePerPaper * s.papers * s.clientsPerPaper;
    if (s.deliveredPerSecond() < minDeliveredRatio * expected) {
      return String.format("delivered %.0f/s < %.0f%% of the expected %.0f/s", s.deliveredPerSecond(),
          100 * minDeliveredRatio, expected);
    }
    return null;
  }
}
