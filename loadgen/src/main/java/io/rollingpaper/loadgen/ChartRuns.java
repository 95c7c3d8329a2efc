package io.rollingpaper.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Ramp and fanout summaries (the JSON the scenarios write) as the charts read them, and their labels. */
final class ChartRuns {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ChartRuns() {
  }

  /** One step of a ramp (or a fanout's single window). Latencies in ms; NaN when absent. */
  record Step(double ratePerPaper, double offered, double delivered, double p50, double p90, double p99, double p999,
      double max, double cpuPer1000, boolean withinBound, String failure) {

    double percentile(String name) {
      return switch (name) {
        case "p50" -> p50;
        case "p90" -> p90;
        case "p99" -> p99;
        case "p99.9" -> p999;
        case "max" -> max;
        default -> throw new IllegalArgumentException("unknown percentile " + name + " (p50, p90, p99, p99.9, max)");
      };
    }
  }

  /** A ramp or fanout summary as the charts need it. */
  record Run(String label, String scenario, String target, Path file, List<Step> steps, Step best, double p99BoundMs,
      String stopReason, String setup) {
  }

  static Run read(Path file, String label) throws IOException {
    JsonNode root = JSON.readTree(file.toFile());
    String scenario = root.path("scenario").asText("");
    JsonNode config = root.path("config");
    List<Step> steps = new ArrayList<>();
    Step best = null;
    if (root.has("steps")) {
      for (JsonNode s : root.path("steps")) {
        Step step = step(s, s.path("within_bound").asBoolean(true));
        steps.add(step);
        if (step.withinBound() && (best == null || step.delivered() > best.delivered())) {
          best = step;
        }
      }
    } else if (root.has("result") && root.path("result").has("delivered_per_s")) {
      Step step = step(root.path("result"), true);
      steps.add(step);
      best = step;
    } else {
      throw new IllegalArgumentException(file + ": not a ramp or fanout summary (no steps, no result.delivered_per_s)");
    }
    String target = target(root);
    String setup = String.format(Locale.ROOT, "clients over %d URL(s), %d papers × %d clients, %d-byte notes",
        config.path("urls").size(), config.path("papers").asInt(), config.path("clients_per_paper").asInt(),
        config.path("note_bytes").asInt());
    return new Run(label != null ? label : fileLabel(file), scenario, target, file, steps, best,
        config.path("p99_bound_ms").asDouble(Double.NaN), root.path("stop_reason").asText(null), setup);
  }

  /** The system under test as the summary names it ("target" at the top or in "config"), or null. */
  static String target(JsonNode root) {
    for (JsonNode n : List.of(root.path("target"), root.path("config").path("target"))) {
      if (n.isTextual() && !n.asText().isBlank()) {
        return n.asText();
      }
    }
    return null;
  }

  private static Step step(JsonNode s, boolean within) {
    JsonNode lat = s.path("latency");
    double offered = s.path("expected_deliveries_per_s").asDouble(Double.NaN);
    return new Step(s.path("rate_per_paper").asDouble(Double.NaN), offered, s.path("delivered_per_s").asDouble(Double.NaN),
        lat.path("p50_ms").asDouble(Double.NaN), lat.path("p90_ms").asDouble(Double.NaN),
        lat.path("p99_ms").asDouble(Double.NaN), lat.path("p99_9_ms").asDouble(Double.NaN),
        lat.path("max_ms").asDouble(Double.NaN),
        s.path("cpu").path("server_cpu_s_per_1000_delivered").asDouble(Double.NaN), within,
        s.path("failure").asText(null));
  }

  static String fileLabel(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
  }

  /**
   * Labels of the runs: the given ones first (in order), else the summary's target, else the file name;
   * a target shared by several runs gets the file name added so that every label is distinct.
   */
  static List<String> labels(List<Path> files, List<String> given, List<String> targets) {
    Map<String, Integer> count = new HashMap<>();
    for (String t : targets) {
      if (t != null) {
        count.merge(t, 1, Integer::sum);
      }
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      String t = targets.get(i);
      if (i < given.size() && given.get(i) != null && !given.get(i).isBlank()) {
        out.add(given.get(i));
      } else if (t != null) {
        out.add(count.get(t) > 1 ? t + " (" + fileLabel(files.get(i)) + ")" : t);
      } else {
        out.add(fileLabel(files.get(i)));
      }
    }
    return out;
  }
}
