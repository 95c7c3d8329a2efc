package io.rollingpaper.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollingpaper.deploy.support.Chart;
import org.junit.jupiter.api.Test;

/** values.schema.json and the chart's own checks refuse values that would deploy something broken. */
class ChartValuesValidationTest {

  @Test
  void aMistypedTopLevelValueIsRefused() {
    assertThat(Chart.templateError("replicas: 3")).contains("schema").contains("'replicas' not allowed");
  }

  @Test
  void aMistypedNestedValueIsRefused() {
    assertThat(Chart.templateError("drain: {readyDelay: 5s}")).contains("at '/drain'").contains("'readyDelay' not allowed");
  }

  @Test
  void anUnknownHaproxyServiceTypeIsRefused() {
    assertThat(Chart.templateError("haproxy: {service: {type: Ingress}}")).contains("at '/haproxy/service/type'");
  }

  @Test
  void anUnknownBalanceModeIsRefused() {
    assertThat(Chart.templateError("haproxy: {balance: roundrobin}")).contains("at '/haproxy/balance'");
  }

  @Test
  void aNonRedisUrlIsRefused() {
    assertThat(Chart.templateError("redis: {external: {url: \"http://redis:6379\"}}")).contains("at '/redis/external/url'");
  }

  @Test
  void aBadHaproxyTimeoutIsRefused() {
    assertThat(Chart.templateError("haproxy: {timeouts: {tunnel: \"one hour\"}}")).contains("at '/haproxy/timeouts/tunnel'");
  }

  @Test
  void settingsTheChartOwnsCannotBeOverriddenThroughConfig() {
    assertThat(Chart.templateError("config: {NODE_ID: fixed}"))
        .contains("config.NODE_ID is set by the chart");
    assertThat(Chart.templateError("config: {DRAIN_TIMEOUT: 1h}"))
        .contains("config.DRAIN_TIMEOUT is set by the chart");
  }

  @Test
  void configNamesMustBeEnvironmentVariableNames() {
    assertThat(Chart.templateError("config: {log-level: DEBUG}")).contains("'log-level' does not match pattern");
  }
}
