package io.rollingpaper.deploy.support;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** HAProxy time values (500, 500ms, 10s, 5m, 1h, 1d) in milliseconds. */
public final class HaproxyTime {
  private static final Pattern P = Pattern.compile("^(\\d+)(us|ms|s|m|h|d)?$");

  private HaproxyTime() {}

  public static long millis(String value) {
    Matcher m = P.matcher(value.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("not an HAProxy time: " + value);
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "ms" : m.group(2);
    return switch (unit) {
      case "us" -> n / 1000;
      case "ms" -> n;
      case "s" -> n * 1000;
      case "m" -> n * 60_000;
      case "h" -> n * 3_600_000;
      case "d" -> n * 86_400_000;
      default -> throw new IllegalArgumentException(value);
    };
  }
}
