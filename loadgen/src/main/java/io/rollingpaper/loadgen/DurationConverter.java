package io.rollingpaper.loadgen;

import picocli.CommandLine;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations on the command line: {@code 250ms}, {@code 20s}, {@code 1.5s}, {@code 2m}, or ISO-8601 ({@code PT20S}). */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  private static final Pattern SIMPLE = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)?");

  @Override
  public Duration convert(String value) {
    String v = value.trim().toLowerCase();
    Matcher m = SIMPLE.matcher(v);
    if (m.matches()) {
      double n = Double.parseDouble(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      double millis = switch (unit) {
        case "ms" -> n;
        case "m" -> n * 60_000;
        case "h" -> n * 3_600_000;
        default -> n * 1000;
      };
      return Duration.ofNanos((long) (millis * 1_000_000));
    }
    try {
      return Duration.parse(value.trim().toUpperCase());
    } catch (RuntimeException e) {
      throw new CommandLine.TypeConversionException("not a duration: '" + value + "' (e.g. 500ms, 20s, 2m)");
    }
  }

  static String format(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
  }
}
