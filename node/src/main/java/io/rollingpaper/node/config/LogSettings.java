package io.rollingpaper.node.config;

/**
 * How the node logs. Logback reads {@code LOG_FORMAT} itself (logback.xml includes
 * {@code logback-<format>.xml}); it is checked here so a typo stops the node with a message instead of
 * leaving it without any log output.
 */
public record LogSettings(Format format) {
  public enum Format { TEXT, JSON }

  static LogSettings from(EnvReader r) {
    String format = r.string("LOG_FORMAT", "text");
    return switch (format) {
      case "text" -> new LogSettings(Format.TEXT);
      case "json" -> new LogSettings(Format.JSON);
      default -> {
        r.problem("LOG_FORMAT must be text or json (got '" + format + "')");
        yield new LogSettings(Format.TEXT);
      }
    };
  }
}
