package io.rollingpaper.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollingpaper.deploy.support.Haproxy;
import io.rollingpaper.deploy.support.HaproxyConfig;
import io.rollingpaper.deploy.support.HaproxyTime;
import io.rollingpaper.deploy.support.Repo;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The repository's haproxy.cfg: the local cluster's balancer. */
class RootHaproxyConfigTest {
  /** The node's default DRAIN_READY_DELAY: HAProxy must notice a draining node within it. */
  static final long DRAIN_READY_DELAY_MS = 5_000;

  static String text;
  static HaproxyConfig cfg;

  @BeforeAll
  static void load() throws IOException {
    text = Files.readString(Repo.haproxyCfg());
    cfg = HaproxyConfig.parse(text);
  }

  @Test
  void passesHaproxyCheckWithoutWarnings() {
    Haproxy.assertValid(Repo.haproxyCfg());
  }

  @Test
  void balancerListensOnLoopback8080AndStatsOnItsOwnPort8404() {
    assertThat(cfg.directives("frontend public", "bind")).containsExactly("bind 127.0.0.1:8080");
    assertThat(cfg.value("frontend public", "default_backend")).hasValue("nodes");
    assertThat(cfg.directives("frontend stats", "bind")).containsExactly("bind 127.0.0.1:8404");
    assertThat(cfg.directives("frontend stats", "stats enable")).hasSize(1);
  }

  @Test
  void backendHasThreeLocalNodesOn8081To8083() {
    assertThat(cfg.directives("backend nodes", "server")).containsExactly(
        "server node1 127.0.0.1:8081", "server node2 127.0.0.1:8082", "server node3 127.0.0.1:8083");
    assertThat(text).contains("# BEGIN nodes").contains("# END nodes");
  }

  @Test
  void balancesByPaperIdFromEveryPaperPathWithConsistentHashing() {
    assertThat(cfg.directives("backend nodes", "http-request set-var(txn.paper_id)")).containsExactly(
        "http-request set-var(txn.paper_id) path,field(3,/) if { path_beg /ws/ /p/ }",
        "http-request set-var(txn.paper_id) path,field(4,/) if { path_beg /api/papers/ }");
    assertThat(cfg.value("backend nodes", "balance")).hasValue("hash var(txn.paper_id)");
    assertThat(cfg.value("backend nodes", "hash-type")).hasValue("consistent");
  }

  @Test
  void documentsWhyHashingAndHowToSwitchToLeastconn() {
    assertThat(text).contains("balance leastconn").contains("subscription");
  }

  @Test
  void healthChecksReadyEndpointOftenEnoughToNoticeADrainBeforeSessionsClose() {
    assertThat(cfg.value("backend nodes", "option httpchk")).hasValue("");
    assertThat(cfg.value("backend nodes", "http-check send")).hasValue("meth GET uri /health/ready");
    assertThat(cfg.value("backend nodes", "http-check expect")).hasValue("status 200");
    String defaultServer = cfg.value("backend nodes", "default-server").orElseThrow();
    assertThat(defaultServer).contains("check");
    long inter = HaproxyTime.millis(word(defaultServer, "inter"));
    long fall = Long.parseLong(word(defaultServer, "fall"));
    assertThat(inter * fall).as("time to mark a draining node down").isLessThan(DRAIN_READY_DELAY_MS);
  }

  @Test
  void aBusyNodeHasLongerThanTheCheckIntervalToAnswerItsHealthCheck() {
    long inter = HaproxyTime.millis(word(cfg.value("backend nodes", "default-server").orElseThrow(), "inter"));
    long timeout = HaproxyTime.millis(cfg.value("backend nodes", "timeout check").orElseThrow());
    assertThat(timeout).as("timeout check (it defaults to inter)").isGreaterThan(inter);
  }

  @Test
  void leavesClosingOfSessionsToTheDrainingNode() {
    assertThat(text.lines().filter(l -> !l.trim().startsWith("#")))
        .noneMatch(l -> l.contains("on-marked-down") || l.contains("shutdown-sessions"));
  }

  @Test
  void webSocketTimeoutsCoverLongIdleBoardsAndHalfClosedSockets() {
    var t = cfg.timeouts();
    assertThat(t).containsKeys("connect", "client", "server", "tunnel", "client-fin", "server-fin", "http-request");
    long tunnel = HaproxyTime.millis(t.get("tunnel"));
    assertThat(tunnel).as("timeout tunnel").isGreaterThanOrEqualTo(3_600_000);
    assertThat(HaproxyTime.millis(t.get("client-fin"))).isLessThan(tunnel);
    assertThat(HaproxyTime.millis(t.get("server-fin"))).isLessThan(tunnel);
    assertThat(HaproxyTime.millis(t.get("client"))).isLessThan(tunnel);
  }

  @Test
  void retriesFailedConnectionsOnAnotherNode() {
    assertThat(cfg.value("defaults", "option redispatch")).isPresent();
    assertThat(Integer.parseInt(cfg.value("defaults", "retries").orElseThrow())).isPositive();
  }

  @Test
  void statsFrontendServesHealthAndPrometheusMetrics() {
    assertThat(cfg.value("frontend stats", "monitor-uri")).hasValue("/healthz");
    assertThat(cfg.value("frontend stats", "monitor fail")).hasValue("if { nbsrv(nodes) lt 1 }");
    assertThat(cfg.directives("frontend stats", "http-request use-service prometheus-exporter"))
        .containsExactly("http-request use-service prometheus-exporter if { path /metrics }");
  }

  @Test
  void internalFrontendServesEverythingOnItsOwnLoopbackPort8405() {
    assertThat(cfg.directives("frontend internal", "bind")).containsExactly("bind 127.0.0.1:8405");
    assertThat(cfg.value("frontend internal", "default_backend")).hasValue("nodes");
    assertThat(cfg.directives("frontend internal", "http-request return")).isEmpty();
  }

  @Test
  void publicFrontendRefusesTheApiAndMetricsWithAJson404() {
    assertThat(cfg.directives("frontend public", "acl internal_path"))
        .containsExactly("acl internal_path path,url_dec -m reg -i ^/(api|metrics)(/|$)");
    String refusal = cfg.value("frontend public", "http-request return").orElseThrow();
    assertThat(refusal).startsWith("status 404 content-type application/json string '{\"code\":\"not_found\"")
        .endsWith("if internal_path || unnormalized_path");
  }

  @Test
  void bothFrontendsDropTheClientsXForwardedForAndTheBackendAddsItsOwn() {
    for (String frontend : List.of("frontend public", "frontend internal")) {
      assertThat(cfg.directives(frontend, "http-request del-header")).as(frontend)
          .containsExactly("http-request del-header X-Forwarded-For");
    }
    assertThat(cfg.value("defaults", "option forwardfor")).hasValue("");
  }

  @Test
  void accessLogFormatHasThePathButNotTheRequestLineWithItsQueryString() {
    assertThat(cfg.directives("defaults", "option httplog")).isEmpty();
    String format = cfg.value("defaults", "log-format").orElseThrow();
    assertThat(format).contains("%{+Q}HPO").doesNotContainPattern("%(\\{[^}]*\\})?r(?![a-z])")
        .doesNotContain("%HU").doesNotContain("%HQ");
  }

  @Test
  void adminSocketForTheRuntimeApiIsAPrivateUnixSocket() {
    assertThat(cfg.value("global", "stats socket")).hasValue("/tmp/rolling-paper-haproxy.sock mode 600 level admin");
  }

  static String word(String directive, String key) {
    Matcher m = Pattern.compile("(?:^| )" + Pattern.quote(key) + " (\\S+)").matcher(directive);
    if (!m.find()) {
      throw new AssertionError("no '" + key + "' in: " + directive);
    }
    return m.group(1);
  }

  static List<String> lines(String s) {
    return s.lines().toList();
  }
}
