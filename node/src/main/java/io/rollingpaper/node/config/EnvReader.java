package io.rollingpaper.node.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads typed values from environment variables, collecting problems instead of failing on the first. */
final class EnvReader {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private final Map<String, String> env;
  private final List<String> problems = new ArrayList<>();

  EnvReader(Map<String, String> env) {
    this.env = env;
  }

  List<String> problems() {
    return problems;
  }

  Optional<String> optional(String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }

  void problem(String problem) {
    problems.add(problem);
  }

  /** A comma-separated list; blanks are dropped. */
  List<String> list(String name, List<String> fallback) {
    return optional(name).map(v -> java.util.Arrays.stream(v.split(",")).map(String::trim)
        .filter(s -> !s.isEmpty()).toList()).orElse(fallback);
  }

  boolean flag(String name) {
    Optional<String> raw = optional(name);
    if (raw.isEmpty()) {
      return false;
    }
    if (!raw.get().matches("(?i)true|false|1|0|yes|no")) {
      problems.add(name + " must be true or false (got '" + raw.get() + "')");
      return false;
    }
    return raw.get().matches("(?i)true|1|yes");
  }

  String string(String name, String fallback) {
    return optional(name).orElse(fallback);
  }

  int integer(String name, int fallback, int min, int max) {
    Optional<String> raw = optional(name);
    if (raw.isEmpty()) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(raw.get());
      if (value < min || value > max) {
        problems.add(name + " must be between " + min + " and " + max + " (got " + value + ")");
        return fallback;
      }
      return value;
    } catch (NumberFormatException e) {
      problems.add(name + " must be a whole number (got '" + raw.get() + "')");
      return fallback;
    }
  }

  /** Durations are written as a number and a unit: 500ms, 10s, 5m, 2h, 7d. */
  Duration duration(String name, Duration fallback) {
    Optional<String> raw = optional(name);
    if (raw.isEmpty()) {
      return fallback;
    }
    Matcher m = DURATION.matcher(raw.get());
    if (!m.matches()) {
      problems.add(name + " must be a duration such as 500ms, 10s, 5m, 2h or 7d (got '" + raw.get() + "')");
      return fallback;
    }
    long amount = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
  }
}
