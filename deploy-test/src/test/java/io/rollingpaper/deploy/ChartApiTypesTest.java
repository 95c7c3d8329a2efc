package io.rollingpaper.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rollingpaper.deploy.support.Chart;
import io.rollingpaper.deploy.support.KubernetesTypes;
import io.rollingpaper.deploy.support.Rendered;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every manifest the chart renders, for every documented values combination (hook resources
 * included), binds strictly to its Kubernetes API type (see {@link KubernetesTypes}).
 */
class ChartApiTypesTest {

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.rollingpaper.deploy.ChartVariants#all")
  void everyRenderedManifestIsAValidKubernetesObject(String variant, String values) {
    Rendered r = Chart.templateWithHooksAsManifests(values);
    assertThat(r.objects()).as("rendered objects of %s", variant).isNotEmpty();
    List<String> problems = new ArrayList<>();
    for (JsonNode o : r.objects()) {
      problems.addAll(KubernetesTypes.problems(o));
    }
    assertThat(problems).as("API type problems of %s", variant).isEmpty();
  }

  /** The check itself: a misplaced field, a string for an integer and an unknown kind are caught. */
  @Test
  void strictValidationCatchesUnknownFieldsWrongTypesAndUnknownKinds() {
    JsonNode deployment = Chart.template().nodeDeployment().deepCopy();
    ObjectNode podSpec = (ObjectNode) deployment.at("/spec/template/spec");
    podSpec.put("terminationGracePeriod", 30);
    assertThat(KubernetesTypes.problems(deployment))
        .singleElement().asString().contains("spec.template.spec").contains("terminationGracePeriod");

    JsonNode service = Chart.template().get("Service", Chart.FULLNAME).deepCopy();
    ((ObjectNode) service.at("/spec/ports/0")).put("port", "8080");
    assertThat(KubernetesTypes.problems(service)).isNotEmpty();

    ObjectNode unknown = Chart.template().nodeDeployment().deepCopy();
    unknown.put("apiVersion", "apps/v1beta1");
    assertThat(KubernetesTypes.problems(unknown)).singleElement().asString().contains("no API type known");
  }
}
