package io.rollingpaper.node.metrics;

import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * {@code rpl_build_info{version,java,vertx} 1}: which build each node runs, so a dashboard can tell a
 * rolling upgrade half done. The version comes from a resource Maven fills in at build time. A Prometheus
 * {@code Info} rather than a Micrometer gauge, whose exporter would drop the {@code _info} suffix.
 */
final class BuildInfo {
  private static final String BUILD_RESOURCE = "/rolling-paper-build.properties";
  private static final String VERTX_VERSION_RESOURCE = "/META-INF/vertx/vertx-version.txt";
  private static final String UNKNOWN = "unknown";

  private BuildInfo() {
  }

  static void register(PrometheusRegistry registry) {
    Info.builder().name("rpl_build_info").help("Always 1; the labels say which build this node runs")
        .labelNames("version", "java", "vertx")
        .register(registry)
        .addLabelValues(version(), System.getProperty("java.runtime.version", UNKNOWN), vertxVersion());
  }

  static String version() {
    Properties properties = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream(BUILD_RESOURCE)) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties.getProperty("version", UNKNOWN);
  }

  private static String vertxVersion() {
    try (InputStream in = BuildInfo.class.getResourceAsStream(VERTX_VERSION_RESOURCE)) {
      return in == null ? UNKNOWN : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
