package io.rollingpaper.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rollingpaper.deploy.support.Chart;
import io.rollingpaper.deploy.support.Rendered;
import io.rollingpaper.deploy.support.Repo;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What the chart gives operators: dashboard, alerts, exposure, network policy, Redis password, pod extras. */
class ChartOperatorsTest {
  static final String REDIS = Chart.FULLNAME + "-redis";
  static final String HAPROXY = Chart.FULLNAME + "-haproxy";

  /** Series the nodes export (README, metrics/) or that Micrometer's JVM/process binders add. */
  static final Set<String> KNOWN_SERIES = Set.of(
      "rpl_connections", "rpl_papers", "rpl_ops_accepted_total", "rpl_ops_refused_total",
      "rpl_deltas_delivered_total", "rpl_snapshots_sent_total", "rpl_store_latency_seconds_bucket",
      "rpl_join_latency_seconds_bucket", "rpl_session_closes_total", "rpl_subscription_repairs_total",
      "rpl_handshake_refusals_total", "rpl_webhook_backlog", "rpl_webhook_deliveries_total",
      "jvm_memory_used_bytes", "jvm_memory_max_bytes", "jvm_gc_pause_seconds_sum", "process_cpu_usage",
      "kube_pod_status_ready", "redis_memory_used_bytes", "redis_memory_max_bytes");
  private static final Pattern SERIES = Pattern.compile("\\b((?:rpl|jvm|process|kube|redis)_[a-z_]+)\\b");

  @Test
  void dashboardConfigMapCarriesTheSidecarLabelAndEveryPanelQueriesKnownSeries() throws Exception {
    Rendered r = Chart.template(ChartVariants.OPERATORS);
    JsonNode cm = r.get("ConfigMap", Chart.FULLNAME + "-dashboard");
    assertThat(cm.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
    assertThat(cm.at("/metadata/annotations/grafana_folder").asText()).isEqualTo("Rolling Paper");
    JsonNode dashboard = new ObjectMapper().readTree(cm.at("/data/rolling-paper-live.json").asText());
    assertThat(dashboard.path("uid").asText()).isEqualTo("rolling-paper-live");
    List<String> titles = new ArrayList<>();
    List<String> series = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      titles.add(panel.path("title").asText());
      assertThat(panel.path("targets")).as("targets of %s", panel.path("title")).isNotEmpty();
      for (JsonNode t : panel.path("targets")) {
        series.addAll(seriesIn(t.path("expr").asText()));
      }
    }
    assertThat(titles).contains("Connections", "Papers", "Ops accepted / refused by code", "Deltas delivered",
        "Store latency p50 / p99", "Join latency p50 / p99", "Session closes by code", "JVM heap", "GC pause time",
        "Process CPU");
    assertThat(series).allMatch(KNOWN_SERIES::contains, "known series");
    assertThat(Chart.template().find("ConfigMap", Chart.FULLNAME + "-dashboard")).as("off by default").isEmpty();
  }

  @Test
  void prometheusRuleAlertsOnNotReadyRepairsBacklogRedisMemoryAndStoreLatency() {
    JsonNode rule = Chart.template(ChartVariants.OPERATORS).get("PrometheusRule", Chart.FULLNAME);
    assertThat(rule.at("/metadata/labels/release").asText()).isEqualTo("kube-prometheus-stack");
    List<String> alerts = new ArrayList<>();
    for (JsonNode r : rule.at("/spec/groups/0/rules")) {
      alerts.add(r.path("alert").asText());
      String expr = r.path("expr").asText();
      assertThat(seriesIn(expr)).as(expr).isNotEmpty().allMatch(KNOWN_SERIES::contains);
      assertThat(count(expr, '(')).as("balanced parentheses: %s", expr).isEqualTo(count(expr, ')'));
      assertThat(count(expr, '{')).as("balanced braces: %s", expr).isEqualTo(count(expr, '}'));
      assertThat(r.path("for").asText()).matches("[0-9]+[smh]");
      assertThat(r.at("/labels/severity").asText()).isIn("warning", "critical");
      if (expr.contains("rpl_")) {
        assertThat(expr).as("scoped to the release").contains("namespace=\"boards\",job=\"" + Chart.FULLNAME + "\"");
      }
    }
    assertThat(alerts).containsExactly("RollingPaperNodeNotReady", "RollingPaperSubscriptionRepairsRising",
        "RollingPaperWebhookBacklog", "RollingPaperRedisMemoryNearMax", "RollingPaperStoreLatencyHigh");
    assertThat(rule.at("/spec/groups/0/rules/3/expr").asText())
        .contains("redis_memory_used_bytes{namespace=\"boards\",service=\"redis-exporter\"}").endsWith("> 0.85");
    assertThat(Chart.template().all("PrometheusRule")).as("off by default").isEmpty();
  }

  @Test
  void ingressAndHttpRouteGoToHaproxyWithTlsAndWebSocketTimeouts() {
    Rendered r = Chart.template(ChartVariants.OPERATORS);
    JsonNode ingress = r.get("Ingress", Chart.FULLNAME);
    assertThat(ingress.at("/spec/ingressClassName").asText()).isEqualTo("nginx");
    assertThat(ingress.at("/spec/tls/0/secretName").asText()).isEqualTo("boards-example-com-tls");
    assertThat(ingress.at("/spec/rules/0/host").asText()).isEqualTo("boards.example.com");
    assertThat(ingress.at("/spec/rules/0/http/paths/0/backend/service/name").asText()).isEqualTo(HAPROXY);
    assertThat(ingress.at("/metadata/annotations/nginx.ingress.kubernetes.io~1proxy-read-timeout").asText())
        .isEqualTo("3600");
    JsonNode route = r.get("HTTPRoute", Chart.FULLNAME);
    assertThat(route.at("/spec/parentRefs/0/sectionName").asText()).isEqualTo("https");
    assertThat(route.at("/spec/rules/0/backendRefs/0/name").asText()).isEqualTo(HAPROXY);
    assertThat(route.at("/spec/rules/0/backendRefs/0/port").asInt()).isEqualTo(80);
    assertThat(route.at("/spec/rules/0/timeouts/request").asText()).isEqualTo("0s");
    assertThat(route.at("/spec/rules/0/timeouts/backendRequest").asText()).isEqualTo("0s");
    assertThat(Chart.template().all("Ingress")).isEmpty();
    assertThat(Chart.template().all("HTTPRoute")).isEmpty();
  }

  @Test
  void exposureWithoutHaproxyOrHostsOrParentsIsRefused() {
    assertThat(Chart.templateError("""
        haproxy: {enabled: false}
        ingress: {enabled: true, hosts: [boards.example.com]}
        """)).contains("need haproxy.enabled");
    assertThat(Chart.templateError("ingress: {enabled: true}")).contains("at least one ingress.hosts");
    assertThat(Chart.templateError("httpRoute: {enabled: true}")).contains("httpRoute.parentRefs");
  }

  @Test
  void networkPoliciesLetOnlyHaproxyReachNodesAndOnlyNodesReachRedisAndPostgresql() {
    Rendered r = Chart.template(ChartVariants.OPERATORS);
    JsonNode nodes = r.get("NetworkPolicy", Chart.FULLNAME + "-nodes");
    assertThat(nodes.at("/spec/podSelector/matchLabels/app.kubernetes.io~1component").asText()).isEqualTo("node");
    JsonNode from = nodes.at("/spec/ingress/0/from");
    assertThat(from).hasSize(2);
    assertThat(from.at("/0/podSelector/matchLabels/app.kubernetes.io~1component").asText()).isEqualTo("haproxy");
    assertThat(from.at("/1/namespaceSelector/matchLabels/kubernetes.io~1metadata.name").asText()).isEqualTo("monitoring");
    assertThat(nodes.at("/spec/ingress/0/ports/0/port").asText()).isEqualTo("http");
    assertThat(nodes.at("/spec/ingress")).hasSize(1);

    JsonNode redis = r.get("NetworkPolicy", REDIS);
    assertThat(redis.at("/spec/podSelector/matchLabels/app.kubernetes.io~1component").asText()).isEqualTo("redis");
    assertThat(redis.at("/spec/ingress/0/from")).hasSize(1);
    assertThat(redis.at("/spec/ingress/0/from/0/podSelector/matchLabels/app.kubernetes.io~1component").asText())
        .isEqualTo("node");

    JsonNode pg = r.get("NetworkPolicy", Chart.FULLNAME + "-postgresql-clients");
    assertThat(pg.at("/spec/podSelector/matchLabels/app.kubernetes.io~1name").asText()).isEqualTo("postgresql");
    assertThat(pg.at("/spec/ingress/0/ports/0/port").asInt()).isEqualTo(5432);
    assertThat(pg.at("/spec/ingress/0/from/0/podSelector/matchLabels/app.kubernetes.io~1component").asText())
        .isEqualTo("node");
    assertThat(r.find("NetworkPolicy", Chart.FULLNAME + "-redis-clients")).as("no redis selector given").isEmpty();
    assertThat(Chart.template().all("NetworkPolicy")).as("off by default").isEmpty();
  }

  @Test
  void builtInRedisRequiresAGeneratedPasswordThatTheNodesUrlCarries() {
    Rendered r = Chart.template();
    List<String> envNames = new ArrayList<>(r.nodeEnv().keySet());
    // $(REDIS_PASSWORD) expands only from a variable defined before it.
    assertThat(envNames.indexOf("REDIS_PASSWORD")).isNotNegative().isLessThan(envNames.indexOf("REDIS_URL"));
    assertThat(r.nodeEnv().get("REDIS_PASSWORD").at("/valueFrom/secretKeyRef/name").asText()).isEqualTo(REDIS);
    assertThat(r.nodeEnvValues().get("REDIS_URL")).isEqualTo("redis://:$(REDIS_PASSWORD)@" + REDIS + ":6379");

    JsonNode redis = Rendered.container(r.get("StatefulSet", REDIS), "redis");
    List<String> args = new ArrayList<>();
    redis.path("args").forEach(a -> args.add(a.asText()));
    assertThat(args).containsSequence("--requirepass", "$(REDIS_PASSWORD)");
    assertThat(Rendered.env(redis)).containsKeys("REDIS_PASSWORD", "REDISCLI_AUTH");

    JsonNode secret = Chart.templateWithHooksAsManifests("").get("Secret", REDIS);
    assertThat(secret.at("/metadata/annotations/test.rolling-paper.io~1hook").asText()).isEqualTo("pre-install");
    assertThat(secret.at("/metadata/annotations/helm.sh~1resource-policy").asText()).isEqualTo("keep");
    String password = new String(Base64.getDecoder().decode(secret.at("/data/redis-password").asText()),
        StandardCharsets.UTF_8);
    assertThat(password).matches("[A-Za-z0-9]{48}");
  }

  @Test
  void builtInRedisPasswordFromAnExistingSecretOrOff() {
    Rendered existing = Chart.template(ChartVariants.BUILTIN_REDIS_PASSWORD_SECRET);
    assertThat(existing.nodeEnv().get("REDIS_PASSWORD").at("/valueFrom/secretKeyRef/name").asText())
        .isEqualTo("redis-password");
    assertThat(existing.nodeEnv().get("REDIS_PASSWORD").at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("password");
    assertThat(Chart.templateWithHooksAsManifests(ChartVariants.BUILTIN_REDIS_PASSWORD_SECRET).find("Secret", REDIS))
        .isEmpty();

    Rendered off = Chart.template(ChartVariants.BUILTIN_REDIS_NO_PASSWORD);
    assertThat(off.nodeEnv()).doesNotContainKey("REDIS_PASSWORD");
    assertThat(off.nodeEnvValues()).containsEntry("REDIS_URL", "redis://" + REDIS + ":6379");
    assertThat(Rendered.container(off.get("StatefulSet", REDIS), "redis").path("args").toString())
        .doesNotContain("requirepass");
  }

  @Test
  void secretsChecksumIsStableAndChangesWithTheSecretsAndTheirRevision() {
    String base = checksum("");
    assertThat(base).matches("[0-9a-f]{64}");
    assertThat(checksum("")).as("no randomness: an upgrade without changes does not roll").isEqualTo(base);
    assertThat(checksum("secretsChecksum: {revision: rotated-2026-11-29}")).isNotEqualTo(base);
    assertThat(checksum(ChartVariants.AUTH_EXISTING_SECRETS)).isNotEqualTo(base);
    assertThat(checksum(ChartVariants.BUILTIN_REDIS_PASSWORD_SECRET)).isNotEqualTo(base);
  }

  @Test
  void envFromAndExtraVolumesReachTheNodePod() {
    Rendered r = Chart.template(ChartVariants.OPERATORS);
    JsonNode node = r.nodeContainer();
    assertThat(node.at("/envFrom/0/secretRef/name").asText()).isEqualTo("rolling-paper-extra");
    List<String> mounts = new ArrayList<>();
    node.path("volumeMounts").forEach(m -> mounts.add(m.path("name").asText() + "@" + m.path("mountPath").asText()));
    assertThat(mounts).contains("tmp@/tmp", "ca@/etc/ssl/corporate");
    List<String> volumes = new ArrayList<>();
    r.nodeDeployment().at("/spec/template/spec/volumes").forEach(v -> volumes.add(v.path("name").asText()));
    assertThat(volumes).contains("tmp", "ca");
  }

  @Test
  void chartYamlHasKubeVersionAndProjectMetadata() throws Exception {
    JsonNode chart = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper()
        .readTree(Repo.chart().resolve("Chart.yaml").toFile());
    assertThat(chart.path("kubeVersion").asText()).isEqualTo(">=1.25.0-0");
    assertThat(chart.path("home").asText()).startsWith("https://");
    assertThat(chart.path("sources")).isNotEmpty();
    assertThat(chart.at("/maintainers/0/name").asText()).isNotBlank();
  }

  private static String checksum(String values) {
    return Chart.template(values).nodeDeployment().at("/spec/template/metadata/annotations/checksum~1secrets").asText();
  }

  private static List<String> seriesIn(String expr) {
    List<String> found = new ArrayList<>();
    Matcher m = SERIES.matcher(expr);
    while (m.find()) {
      found.add(m.group(1));
    }
    return found;
  }

  private static long count(String s, char c) {
    return s.chars().filter(x -> x == c).count();
  }
}
