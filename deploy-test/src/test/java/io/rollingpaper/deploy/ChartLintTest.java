package io.rollingpaper.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.LintResult;
import io.rollingpaper.deploy.support.Chart;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** helm lint --strict (Helm's own engine) of the chart with its default values and each main variant. */
class ChartLintTest {

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.rollingpaper.deploy.ChartVariants#all")
  void lintsCleanlyInStrictMode(String variant, String values) {
    LintResult r = Chart.lint(values);
    assertThat(r.isFailed()).as("lint failed for %s: %s", variant, r.getMessages()).isFalse();
    assertThat(r.getMessages()).as("lint messages for %s", variant)
        .noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
  }
}
