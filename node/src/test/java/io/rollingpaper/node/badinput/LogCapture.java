package io.rollingpaper.node.badinput;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/** Every event logged on the root logger (so by the in-process nodes) while attached. */
final class LogCapture implements AutoCloseable {
  /** The test's own fixtures (the Redis fixture looks for Docker first and logs its absence as an error). */
  private static final List<String> FIXTURES = List.of("org.testcontainers", "com.github.dockerjava",
      "io.rollingpaper.node.badinput", "io.rollingpaper.node.support");
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  LogCapture() {
    appender.setName("bad-input-capture");
    appender.setContext(root.getLoggerContext());
    appender.start();
    root.addAppender(appender);
  }

  /** Events at {@code level} or above, but for the fixtures', as one line each (logger, message, exception). */
  List<String> atLeast(Level level) {
    List<ILoggingEvent> events;
    synchronized (appender) {
      events = new ArrayList<>(appender.list);
    }
    return events.stream().filter(e -> e.getLevel().isGreaterOrEqual(level))
        .filter(e -> FIXTURES.stream().noneMatch(e.getLoggerName()::startsWith))
        .map(e -> e.getLevel() + " " + e.getLoggerName() + " [" + e.getThreadName() + "] " + e.getFormattedMessage()
            + describe(e.getThrowableProxy()))
        .toList();
  }

  private static String describe(IThrowableProxy error) {
    if (error == null) {
      return "";
    }
    String where = error.getStackTraceElementProxyArray().length > 0
        ? " at " + error.getStackTraceElementProxyArray()[0].getSTEAsString() : "";
    return " — " + error.getClassName() + ": " + error.getMessage() + where
        + (error.getCause() != null ? " (cause " + error.getCause().getClassName() + ": " + error.getCause().getMessage()
        + ")" : "");
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
  }
}
