package io.rollingpaper.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollingpaper.deploy.support.Chart;
import io.rollingpaper.deploy.support.Rendered;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Services, PDBs, HPA and ServiceMonitor. */
class ChartServicesTest {
  static Rendered r;

  @BeforeAll
  static void render() {
    r = Chart.template();
  }

  @Test
  void headlessServicePublishesEveryNodePodForHaproxyDiscovery() {
    JsonNode svc = r.get("Service", Chart.FULLNAME + "-nodes");
    assertThat(svc.at("/spec/clusterIP").asText()).isEqualTo("None");
    assertThat(svc.at("/spec/publishNotReadyAddresses").asBoolean()).isTrue();
    // The port name makes the SRV record _http._tcp.<service> that HAProxy resolves.
    assertThat(svc.at("/spec/ports/0/name").asText()).isEqualTo("http");
    assertThat(svc.at("/spec/ports/0/port").asInt()).isEqualTo(8080);
    assertSelectsNodePods(svc.at("/spec/selector"));
  }

  @Test
  void clusterIpServiceServesTheApiInsideTheCluster() {
    JsonNode svc = r.get("Service", Chart.FULLNAME);
    assertThat(svc.at("/spec/type").asText()).isEqualTo("ClusterIP");
    assertThat(svc.at("/spec/clusterIP").isMissingNode()).isTrue();
    assertThat(svc.at("/spec/ports/0/targetPort").asText()).isEqualTo("http");
    assertSelectsNodePods(svc.at("/spec/selector"));
  }

  @Test
  void podDisruptionBudgetsLetOnePodGoAtATime() {
    JsonNode pdb = r.get("PodDisruptionBudget", Chart.FULLNAME);
    assertThat(pdb.path("apiVersion").asText()).isEqualTo("policy/v1");
    assertThat(pdb.at("/spec/maxUnavailable").asInt()).isEqualTo(1);
    assertSelectsNodePods(pdb.at("/spec/selector/matchLabels"));
    JsonNode haproxyPdb = r.get("PodDisruptionBudget", Chart.FULLNAME + "-haproxy");
    assertThat(haproxyPdb.at("/spec/selector/matchLabels/app.kubernetes.io~1component").asText()).isEqualTo("haproxy");
  }

  @Test
  void autoscalerScalesTheNodeDeploymentOnCpuByDefault() {
    JsonNode hpa = r.get("HorizontalPodAutoscaler", Chart.FULLNAME);
    assertThat(hpa.path("apiVersion").asText()).isEqualTo("autoscaling/v2");
    assertThat(hpa.at("/spec/scaleTargetRef/kind").asText()).isEqualTo("Deployment");
    assertThat(hpa.at("/spec/scaleTargetRef/name").asText()).isEqualTo(Chart.FULLNAME);
    assertThat(hpa.at("/spec/minReplicas").asInt()).isEqualTo(3);
    assertThat(hpa.at("/spec/maxReplicas").asInt()).isEqualTo(10);
    assertThat(hpa.at("/spec/metrics")).hasSize(1);
    assertThat(hpa.at("/spec/metrics/0/resource/name").asText()).isEqualTo("cpu");
    assertThat(hpa.at("/spec/metrics/0/resource/target/averageUtilization").asInt()).isEqualTo(70);
  }

  @Test
  void autoscalerScalesDownOnePodAtATimeAfterAStabilisationWindow() {
    JsonNode down = r.get("HorizontalPodAutoscaler", Chart.FULLNAME).at("/spec/behavior/scaleDown");
    assertThat(down.path("stabilizationWindowSeconds").asInt()).isGreaterThanOrEqualTo(60);
    assertThat(down.at("/policies/0/type").asText()).isEqualTo("Pods");
    assertThat(down.at("/policies/0/value").asInt()).isEqualTo(1);
  }

  @Test
  void autoscalerCanUseConnectionsPerPodInsteadOfCpu() {
    JsonNode hpa = Chart.template(ChartVariants.HPA_CONNECTIONS).get("HorizontalPodAutoscaler", Chart.FULLNAME);
    assertThat(hpa.at("/spec/minReplicas").asInt()).isEqualTo(4);
    assertThat(hpa.at("/spec/maxReplicas").asInt()).isEqualTo(24);
    assertThat(hpa.at("/spec/metrics")).hasSize(1);
    JsonNode metric = hpa.at("/spec/metrics/0");
    assertThat(metric.path("type").asText()).isEqualTo("Pods");
    assertThat(metric.at("/pods/metric/name").asText()).isEqualTo("rpl_connections");
    assertThat(metric.at("/pods/target/type").asText()).isEqualTo("AverageValue");
    assertThat(metric.at("/pods/target/averageValue").asText()).isEqualTo("1500");
  }

  @Test
  void autoscalerCanCombineCpuAndConnections() {
    JsonNode hpa = Chart.template("autoscaling: {connectionsPerPod: {enabled: true}}")
        .get("HorizontalPodAutoscaler", Chart.FULLNAME);
    assertThat(hpa.at("/spec/metrics")).hasSize(2);
    assertThat(hpa.at("/spec/metrics/0/type").asText()).isEqualTo("Resource");
    assertThat(hpa.at("/spec/metrics/1/type").asText()).isEqualTo("Pods");
    // The node's gauge of open WebSocket sessions.
    assertThat(hpa.at("/spec/metrics/1/pods/metric/name").asText()).isEqualTo("rpl_connections");
  }

  @Test
  void autoscalerWithoutAnyMetricIsRefused() {
    String error = Chart.templateError("autoscaling: {targetCPUUtilizationPercentage: null}");
    assertThat(error).contains("autoscaling needs at least one metric");
  }

  @Test
  void serviceMonitorIsOffByDefault() {
    assertThat(r.all("ServiceMonitor")).isEmpty();
  }

  @Test
  void serviceMonitorScrapesNodeMetricsThroughTheApiService() {
    Rendered m = Chart.template(ChartVariants.SERVICE_MONITOR);
    JsonNode sm = m.get("ServiceMonitor", Chart.FULLNAME);
    assertThat(sm.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(sm.at("/metadata/labels/release").asText()).isEqualTo("kube-prometheus-stack");
    assertThat(sm.at("/spec/endpoints/0/port").asText()).isEqualTo("http");
    assertThat(sm.at("/spec/endpoints/0/path").asText()).isEqualTo("/metrics");
    assertThat(sm.at("/spec/endpoints/0/interval").asText()).isEqualTo("15s");
    assertThat(sm.at("/spec/namespaceSelector/matchNames/0").asText()).isEqualTo(Chart.NAMESPACE);
    // Its selector matches the ClusterIP Service only, not the headless one (no double scrape).
    Map<String, String> selector = map(sm.at("/spec/selector/matchLabels"));
    assertThat(labelsMatch(selector, m.get("Service", Chart.FULLNAME))).isTrue();
    assertThat(labelsMatch(selector, m.get("Service", Chart.FULLNAME + "-nodes"))).isFalse();
  }

  static boolean labelsMatch(Map<String, String> selector, JsonNode object) {
    Map<String, String> labels = map(object.at("/metadata/labels"));
    return labels.entrySet().containsAll(selector.entrySet());
  }

  static Map<String, String> map(JsonNode obj) {
    Map<String, String> m = new TreeMap<>();
    obj.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
    return m;
  }

  void assertSelectsNodePods(JsonNode selector) {
    Map<String, String> podLabels = map(r.nodeDeployment().at("/spec/template/metadata/labels"));
    Map<String, String> sel = map(selector);
    assertThat(sel).containsEntry("app.kubernetes.io/component", "node");
    assertThat(podLabels.entrySet()).containsAll(sel.entrySet());
  }
}
