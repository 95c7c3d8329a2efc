package io.rollingpaper.node.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops Micrometer's "This Gauge has been already registered" warning for Vert.x's own gauges, and only
 * for those. Vert.x registers a gauge such as {@code vertx.http.server.active.connections} again for every
 * connection on purpose (one shared counter per meter id), which Micrometer 1.13.9 and later report once
 * as a warning on the first connections (vert-x3/vertx-micrometer-metrics#259,
 * micrometer-metrics/micrometer#6931). Operators read it as a fault; it is none. The same warning about
 * any other meter (ours) still shows.
 */
public final class VertxGaugeWarningFilter extends TurboFilter {
  private static final String MICROMETER_REGISTRY = "io.micrometer.core.instrument.MeterRegistry";

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (level == Level.WARN && format != null && MICROMETER_REGISTRY.equals(logger.getName())
        && format.startsWith("This Gauge has been already registered (MeterId{name='vertx.")) {
      return FilterReply.DENY;
    }
    return FilterReply.NEUTRAL;
  }
}
