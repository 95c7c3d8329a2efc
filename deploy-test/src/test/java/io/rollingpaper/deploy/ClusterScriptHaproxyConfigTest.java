package io.rollingpaper.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollingpaper.deploy.support.Haproxy;
import io.rollingpaper.deploy.support.HaproxyConfig;
import io.rollingpaper.deploy.support.Proc;
import io.rollingpaper.deploy.support.Repo;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** scripts/cluster renders the HAProxy config of `up` from the root haproxy.cfg. */
class ClusterScriptHaproxyConfigTest {

  static Proc.Result render(String... args) {
    List<String> cmd = new ArrayList<>(List.of("bash", Repo.clusterScript().toString(), "haproxy-config"));
    cmd.addAll(List.of(args));
    return Proc.run(cmd, Repo.root(), 30);
  }

  @Test
  void fiveNodeConfigPassesHaproxyCheckWithConsecutiveNodePorts() {
    Proc.Result r = render("--nodes", "5", "--port", "9100", "--stats-port", "9500", "--internal-port", "9501",
        "--admin-socket", "/tmp/rpl-test/haproxy.sock");
    assertThat(r.exitCode()).as(r.output()).isZero();
    Haproxy.assertValid(r.output());
    HaproxyConfig cfg = HaproxyConfig.parse(r.output());
    assertThat(cfg.directives("frontend public", "bind")).containsExactly("bind 127.0.0.1:9100");
    assertThat(cfg.directives("frontend internal", "bind")).containsExactly("bind 127.0.0.1:9501");
    assertThat(cfg.directives("frontend stats", "bind")).containsExactly("bind 127.0.0.1:9500");
    assertThat(cfg.directives("global", "stats socket"))
        .containsExactly("stats socket /tmp/rpl-test/haproxy.sock mode 600 level admin");
    assertThat(cfg.directives("backend nodes", "server")).containsExactly(
        "server node1 127.0.0.1:9101", "server node2 127.0.0.1:9102", "server node3 127.0.0.1:9103",
        "server node4 127.0.0.1:9104", "server node5 127.0.0.1:9105");
  }

  @Test
  void defaultsAreBalancer8080Internal8405Stats8404AndThreeNodes() throws IOException {
    Proc.Result r = render();
    assertThat(r.exitCode()).as(r.output()).isZero();
    HaproxyConfig generated = HaproxyConfig.parse(r.output());
    HaproxyConfig root = HaproxyConfig.parse(Files.readString(Repo.haproxyCfg()));
    // Same ports and servers as the root file: the generated file is the root file.
    assertThat(generated.section("frontend public")).isEqualTo(root.section("frontend public"));
    assertThat(generated.section("frontend internal")).isEqualTo(root.section("frontend internal"));
    assertThat(generated.section("frontend stats")).isEqualTo(root.section("frontend stats"));
    assertThat(generated.section("backend nodes")).isEqualTo(root.section("backend nodes"));
    // The admin socket moves into the cluster's own directory.
    assertThat(generated.value("global", "stats socket").orElseThrow()).endsWith("/haproxy.sock mode 600 level admin");
  }

  @Test
  void keepsEverySettingOfTheRootConfigButPortsAndServers() throws IOException {
    Proc.Result r = render("--nodes", "2", "--port", "7000", "--stats-port", "7500");
    HaproxyConfig generated = HaproxyConfig.parse(r.output());
    HaproxyConfig root = HaproxyConfig.parse(Files.readString(Repo.haproxyCfg()));
    assertThat(generated.section("defaults")).isEqualTo(root.section("defaults"));
    assertThat(withoutSocket(generated.section("global"))).isEqualTo(withoutSocket(root.section("global")));
    assertThat(withoutBindAndServers(generated.section("frontend internal")))
        .isEqualTo(withoutBindAndServers(root.section("frontend internal")));
    assertThat(withoutBindAndServers(generated.section("frontend public")))
        .isEqualTo(withoutBindAndServers(root.section("frontend public")));
    assertThat(withoutBindAndServers(generated.section("frontend stats")))
        .isEqualTo(withoutBindAndServers(root.section("frontend stats")));
    assertThat(withoutBindAndServers(generated.section("backend nodes")))
        .isEqualTo(withoutBindAndServers(root.section("backend nodes")));
  }

  @Test
  void refusesAStatsPortInsideTheNodePortRange() {
    Proc.Result r = render("--nodes", "3", "--port", "8080", "--stats-port", "8082");
    assertThat(r.exitCode()).isNotZero();
    assertThat(r.output()).contains("collides");
  }

  @Test
  void refusesAnInternalPortInsideTheNodePortRangeOrOnTheStatsPort() {
    Proc.Result inRange = render("--nodes", "3", "--port", "8080", "--internal-port", "8083");
    assertThat(inRange.exitCode()).isNotZero();
    assertThat(inRange.output()).contains("internal port 8083 collides");
    Proc.Result onStats = render("--stats-port", "9000", "--internal-port", "9000");
    assertThat(onStats.exitCode()).isNotZero();
    assertThat(onStats.output()).contains("collide");
  }

  @Test
  void refusesANodeCountOutOfRange() {
    Proc.Result r = render("--nodes", "0");
    assertThat(r.exitCode()).isNotZero();
    assertThat(r.output()).contains("--nodes");
  }

  static List<String> withoutSocket(List<String> directives) {
    return directives.stream().filter(d -> !d.startsWith("stats socket ")).toList();
  }

  static List<String> withoutBindAndServers(List<String> directives) {
    return directives.stream().filter(d -> !d.startsWith("bind ") && !d.startsWith("server ")).toList();
  }
}
