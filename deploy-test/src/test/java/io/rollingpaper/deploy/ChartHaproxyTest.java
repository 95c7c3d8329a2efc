package io.rollingpaper.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollingpaper.deploy.support.Chart;
import io.rollingpaper.deploy.support.Haproxy;
import io.rollingpaper.deploy.support.HaproxyConfig;
import io.rollingpaper.deploy.support.HaproxyTime;
import io.rollingpaper.deploy.support.Rendered;
import io.rollingpaper.deploy.support.Repo;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** HAProxy in the chart: its rendered config, Deployment and Service. */
class ChartHaproxyTest {
  static final String HAPROXY = Chart.FULLNAME + "-haproxy";
  static Rendered r;
  static HaproxyConfig chart;
  static HaproxyConfig root;

  @BeforeAll
  static void render() throws IOException {
    r = Chart.template();
    chart = HaproxyConfig.parse(r.haproxyConfig());
    root = HaproxyConfig.parse(Files.readString(Repo.haproxyCfg()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.rollingpaper.deploy.ChartVariants#all")
  void renderedConfigPassesHaproxyCheck(String variant, String values) {
    Haproxy.assertValid(Chart.template(values).haproxyConfig());
  }

  @Test
  void configWithHotPaperBoundPassesHaproxyCheck() {
    String cfg = Chart.template("haproxy: {hashBalanceFactor: 150}").haproxyConfig();
    assertThat(HaproxyConfig.parse(cfg).value("backend nodes", "hash-balance-factor")).hasValue("150");
    Haproxy.assertValid(cfg);
  }

  @Test
  void sameGlobalAndDefaultsAsTheRootConfig() {
    assertThat(chart.section("global")).isEqualTo(root.section("global"));
    assertThat(chart.section("defaults")).isEqualTo(root.section("defaults"));
  }

  @Test
  void sameStatsAndFrontendAsTheRootConfigButListeningOnAllPodAddresses() {
    assertThat(chart.directives("frontend stats", "bind")).containsExactly("bind :8404");
    assertThat(chart.directives("frontend public", "bind")).containsExactly("bind :8080");
    assertThat(withoutBind(chart.section("frontend stats"))).isEqualTo(withoutBind(root.section("frontend stats")));
    assertThat(withoutBind(chart.section("frontend public"))).isEqualTo(withoutBind(root.section("frontend public")));
  }

  @Test
  void publicFrontendRefusesApiAndMetricsAndTheApiServiceOverTheNodesIsTheInternalRoute() {
    assertThat(chart.value("frontend public", "http-request return").orElseThrow())
        .isEqualTo(root.value("frontend public", "http-request return").orElseThrow());
    assertThat(chart.directives("frontend public", "http-request del-header"))
        .containsExactly("http-request del-header X-Forwarded-For");
    // In Kubernetes the internal route is the ClusterIP Service over the nodes, not an HAProxy frontend.
    assertThat(r.haproxyConfig()).doesNotContain("frontend internal");
    JsonNode haproxyService = r.get("Service", HAPROXY);
    assertThat(haproxyService.at("/spec/ports").size()).as("the public Service exposes only the public port").isEqualTo(1);
    JsonNode api = r.get("Service", Chart.FULLNAME);
    assertThat(api.at("/spec/type").asText()).isEqualTo("ClusterIP");
    assertThat(api.at("/spec/selector/app.kubernetes.io~1component").asText()).isEqualTo("node");
    assertThat(r.nodeEnvValues()).containsEntry("TRUST_FORWARDED_FOR", "true");
  }

  @Test
  void sameBalancingAndHealthChecksAsTheRootConfig() {
    List<String> keys = List.of("http-request", "balance", "hash-type", "option httpchk", "http-check", "timeout check");
    for (String key : keys) {
      assertThat(chart.directives("backend nodes", key)).as(key).isEqualTo(root.directives("backend nodes", key));
    }
    String chartServer = chart.value("backend nodes", "default-server").orElseThrow();
    String rootServer = root.value("backend nodes", "default-server").orElseThrow();
    for (String key : List.of("inter")) {
      assertThat(HaproxyTime.millis(RootHaproxyConfigTest.word(chartServer, key)))
          .isEqualTo(HaproxyTime.millis(RootHaproxyConfigTest.word(rootServer, key)));
    }
    for (String key : List.of("fall", "rise")) {
      assertThat(RootHaproxyConfigTest.word(chartServer, key)).isEqualTo(RootHaproxyConfigTest.word(rootServer, key));
    }
    assertThat(chartServer).startsWith("check ");
  }

  @Test
  void discoversNodePodsThroughTheHeadlessServiceSrvRecords() {
    String template = chart.value("backend nodes", "server-template").orElseThrow();
    assertThat(template).isEqualTo("node 1-10 _http._tcp." + Chart.FULLNAME + "-nodes." + Chart.NAMESPACE
        + ".svc.cluster.local resolvers k8s init-addr none");
    assertThat(chart.directives("backend nodes", "server ")).isEmpty();
    assertThat(chart.value("resolvers k8s", "parse-resolv-conf")).hasValue("");
    assertThat(HaproxyTime.millis(chart.value("resolvers k8s", "hold obsolete").orElseThrow()))
        .as("a vanished pod is kept at least as long as a drain").isGreaterThanOrEqualTo(25_000);
  }

  /**
   * The chart's scale-in (issue 14), end to end in the rendered manifests: the autoscaler removes one pod
   * at a time; after its preStop sleep the pod's readiness turns 503 and HAProxy's checks take it out of
   * rotation before the node starts closing sessions (so reconnects land elsewhere); its DNS record is
   * kept for the whole drain (publishNotReadyAddresses, hold obsolete) so HAProxy does not forget a server
   * whose sockets are still closing; and the grace period covers preStop plus the drain.
   */
  @Test
  void scaleInDrainsOnePodAtATimeAndHaproxyStopsSendingToItBeforeItClosesSessions() {
    JsonNode hpa = r.get("HorizontalPodAutoscaler", Chart.FULLNAME);
    assertThat(hpa.at("/spec/behavior/scaleDown/policies/0/type").asText()).isEqualTo("Pods");
    assertThat(hpa.at("/spec/behavior/scaleDown/policies/0/value").asInt()).as("pods drained per period").isEqualTo(1);
    assertThat(hpa.at("/spec/behavior/scaleDown/policies").size()).isEqualTo(1);

    java.util.Map<String, String> env = r.nodeEnvValues();
    long readyDelayMs = 1000L * ChartNodeDeploymentTest.seconds(env.get("DRAIN_READY_DELAY"));
    long drainAfterSigtermMs = readyDelayMs + 1000L * ChartNodeDeploymentTest.seconds(env.get("DRAIN_CLOSE_WINDOW"))
        + 1000L * ChartNodeDeploymentTest.seconds(env.get("DRAIN_TIMEOUT"));
    String server = chart.value("backend nodes", "default-server").orElseThrow();
    long markedDownMs = HaproxyTime.millis(RootHaproxyConfigTest.word(server, "inter"))
        * Long.parseLong(RootHaproxyConfigTest.word(server, "fall"));
    assertThat(markedDownMs).as("ms until HAProxy takes a draining pod out of rotation").isLessThan(readyDelayMs);
    assertThat(HaproxyTime.millis(chart.value("resolvers k8s", "hold obsolete").orElseThrow()))
        .as("a vanished pod's server is kept for the whole drain").isGreaterThanOrEqualTo(drainAfterSigtermMs);
    assertThat(r.get("Service", Chart.FULLNAME + "-nodes").at("/spec/publishNotReadyAddresses").asBoolean())
        .as("a draining (not ready) pod keeps its DNS record").isTrue();

    JsonNode nodePod = r.nodeDeployment().at("/spec/template/spec");
    int preStop = Integer.parseInt(r.nodeContainer().at("/lifecycle/preStop/exec/command/1").asText());
    assertThat(1000L * nodePod.path("terminationGracePeriodSeconds").asInt())
        .as("grace period covers preStop and the drain").isGreaterThan(1000L * preStop + drainAfterSigtermMs);
    assertThat(r.nodeContainer().at("/readinessProbe/httpGet/path").asText()).isEqualTo("/health/ready");
    assertThat(chart.value("backend nodes", "http-check send")).hasValue("meth GET uri /health/ready");
  }

  @Test
  void hasAServerSlotForEveryPodTheAutoscalerMayCreate() {
    assertThat(slots(Chart.template(ChartVariants.HPA_CONNECTIONS))).isEqualTo(24);
    assertThat(slots(Chart.template(ChartVariants.NO_AUTOSCALING))).isEqualTo(5);
    assertThat(slots(Chart.template("haproxy: {serverSlots: 40}"))).isEqualTo(40);
  }

  @Test
  void tooFewServerSlotsForTheAutoscalerAreRefused() {
    assertThat(Chart.templateError("haproxy: {serverSlots: 4}")).contains("haproxy.serverSlots must be >= autoscaling.maxReplicas");
  }

  @Test
  void scalingTheNodesDoesNotChangeTheHaproxyConfig() {
    Rendered more = Chart.template("replicaCount: 7");
    assertThat(more.haproxyConfig()).isEqualTo(r.haproxyConfig());
    assertThat(checksum(more)).isEqualTo(checksum(r));
  }

  @Test
  void aConfigChangeRollsTheHaproxyPods() {
    Rendered changed = Chart.template("haproxy: {timeouts: {tunnel: 2h}}");
    assertThat(HaproxyConfig.parse(changed.haproxyConfig()).timeouts()).containsEntry("tunnel", "2h");
    assertThat(checksum(changed)).isNotEqualTo(checksum(r));
  }

  @Test
  void leastconnReplacesHashing() {
    HaproxyConfig cfg = HaproxyConfig.parse(Chart.template(ChartVariants.LEASTCONN).haproxyConfig());
    assertThat(cfg.value("backend nodes", "balance")).hasValue("leastconn");
    assertThat(cfg.directives("backend nodes", "hash-type")).isEmpty();
    assertThat(cfg.directives("backend nodes", "http-request")).isEmpty();
  }

  @Test
  void hashKeyByAddressIsAvailableForNewerHaproxy() {
    String template = HaproxyConfig.parse(Chart.template("haproxy: {hashKey: addr}").haproxyConfig())
        .value("backend nodes", "server-template").orElseThrow();
    assertThat(template).endsWith("init-addr none hash-key addr");
  }

  @Test
  void healthChecksTooSlowForTheDrainAreRefused() {
    String error = Chart.templateError("haproxy: {healthCheck: {intervalMs: 3000, fall: 2}}");
    assertThat(error).contains("must be below drain.readyDelaySeconds");
  }

  @Test
  void haproxyDeploymentRunsTheRenderedConfigAsNonRoot() {
    JsonNode d = r.get("Deployment", HAPROXY);
    assertThat(d.at("/spec/replicas").asInt()).isEqualTo(2);
    JsonNode c = Rendered.container(d, "haproxy");
    assertThat(c.path("image").asText()).isEqualTo("haproxy:3.0");
    assertThat(c.at("/command").toString()).contains("/usr/local/etc/haproxy/haproxy.cfg");
    JsonNode config = ChartNodeDeploymentTest.find(c.path("volumeMounts"), "config");
    assertThat(config.path("mountPath").asText()).isEqualTo("/usr/local/etc/haproxy");
    JsonNode volume = ChartNodeDeploymentTest.find(d.at("/spec/template/spec/volumes"), "config");
    assertThat(volume.at("/configMap/name").asText()).isEqualTo(HAPROXY);
    assertThat(d.at("/spec/template/spec/securityContext/runAsNonRoot").asBoolean()).isTrue();
    assertThat(c.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(c.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/healthz");
    assertThat(c.at("/readinessProbe/httpGet/port").asText()).isEqualTo("stats");
    assertThat(c.at("/livenessProbe/tcpSocket/port").asText()).isEqualTo("http");
  }

  @Test
  void haproxyServiceIsClusterIpOnPort80ByDefault() {
    JsonNode svc = r.get("Service", HAPROXY);
    assertThat(svc.at("/spec/type").asText()).isEqualTo("ClusterIP");
    assertThat(svc.at("/spec/ports/0/port").asInt()).isEqualTo(80);
    assertThat(svc.at("/spec/ports/0/targetPort").asText()).isEqualTo("http");
    assertThat(svc.at("/spec/selector/app.kubernetes.io~1component").asText()).isEqualTo("haproxy");
    assertThat(svc.at("/spec/externalTrafficPolicy").isMissingNode()).isTrue();
  }

  @Test
  void haproxyServiceCanBeALoadBalancerKeepingClientAddresses() {
    JsonNode svc = Chart.template(ChartVariants.LOADBALANCER_HAPROXY).get("Service", HAPROXY);
    assertThat(svc.at("/spec/type").asText()).isEqualTo("LoadBalancer");
    assertThat(svc.at("/spec/ports/0/port").asInt()).isEqualTo(443);
    assertThat(svc.at("/spec/externalTrafficPolicy").asText()).isEqualTo("Local");
    assertThat(svc.at("/spec/loadBalancerSourceRanges/0").asText()).isEqualTo("203.0.113.0/24");
    assertThat(svc.at("/metadata/annotations/service.beta.kubernetes.io~1aws-load-balancer-type").asText())
        .isEqualTo("nlb");
  }

  @Test
  void haproxyCanBeLeftOut() {
    Rendered without = Chart.template("haproxy: {enabled: false}");
    assertThat(without.find("Deployment", HAPROXY)).isEmpty();
    assertThat(without.find("ConfigMap", HAPROXY)).isEmpty();
    assertThat(without.find("Service", HAPROXY)).isEmpty();
    assertThat(without.find("Service", Chart.FULLNAME + "-nodes")).isPresent();
  }

  static int slots(Rendered rendered) {
    String template = HaproxyConfig.parse(rendered.haproxyConfig()).value("backend nodes", "server-template")
        .orElseThrow();
    String range = template.split(" ")[1];
    assertThat(range).startsWith("1-");
    return Integer.parseInt(range.substring(2));
  }

  static String checksum(Rendered rendered) {
    return rendered.get("Deployment", HAPROXY).at("/spec/template/metadata/annotations/checksum~1config").asText();
  }

  static List<String> withoutBind(List<String> directives) {
    return directives.stream().filter(d -> !d.startsWith("bind ")).toList();
  }
}
