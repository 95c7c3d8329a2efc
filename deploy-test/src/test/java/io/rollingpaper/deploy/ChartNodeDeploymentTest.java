package io.rollingpaper.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollingpaper.deploy.support.Chart;
import io.rollingpaper.deploy.support.Rendered;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The node Deployment as rendered with the default values. */
class ChartNodeDeploymentTest {
  static Rendered r;
  static JsonNode deployment;
  static JsonNode pod;
  static JsonNode node;

  @BeforeAll
  static void render() {
    r = Chart.template();
    deployment = r.nodeDeployment();
    pod = deployment.path("spec").path("template").path("spec");
    node = r.nodeContainer();
  }

  @Test
  void runsTheImageBuiltFromTheDockerfileOnPort8080() {
    assertThat(node.path("image").asText()).isEqualTo("rolling-paper-live:0.1.0");
    assertThat(node.path("ports").get(0).path("containerPort").asInt()).isEqualTo(8080);
    assertThat(node.path("ports").get(0).path("name").asText()).isEqualTo("http");
  }

  @Test
  void livenessOnHealthLiveReadinessOnHealthReady() {
    assertThat(node.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/health/live");
    assertThat(node.at("/livenessProbe/httpGet/port").asText()).isEqualTo("http");
    assertThat(node.at("/startupProbe/httpGet/path").asText()).isEqualTo("/health/live");
    assertThat(node.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/health/ready");
    assertThat(node.at("/readinessProbe/httpGet/port").asText()).isEqualTo("http");
  }

  @Test
  void readinessNoticesADrainWellWithinTheReadyDelay() {
    int period = node.at("/readinessProbe/periodSeconds").asInt();
    int failures = node.at("/readinessProbe/failureThreshold").asInt();
    assertThat(period * failures).as("seconds until Kubernetes sees a draining pod unready")
        .isLessThan(5);
  }

  @Test
  void preStopSleepsThenTheGracePeriodCoversTheWholeDrain() {
    assertThat(node.at("/lifecycle/preStop/exec/command")).hasSize(2);
    assertThat(node.at("/lifecycle/preStop/exec/command/0").asText()).isEqualTo("sleep");
    int preStop = Integer.parseInt(node.at("/lifecycle/preStop/exec/command/1").asText());
    assertThat(preStop).isEqualTo(2);
    Map<String, String> env = r.nodeEnvValues();
    int drain = preStop + seconds(env.get("DRAIN_READY_DELAY")) + seconds(env.get("DRAIN_CLOSE_WINDOW"))
        + seconds(env.get("DRAIN_TIMEOUT"));
    assertThat(drain).isEqualTo(2 + 5 + 3 + 10);
    assertThat(pod.path("terminationGracePeriodSeconds").asInt())
        .as("grace period = preStop + drain + 5s margin").isEqualTo(drain + 5);
  }

  @Test
  void rollingUpdateAddsANewPodBeforeDrainingAnOldOne() {
    assertThat(deployment.at("/spec/strategy/type").asText()).isEqualTo("RollingUpdate");
    assertThat(deployment.at("/spec/strategy/rollingUpdate/maxUnavailable").asInt()).isZero();
    assertThat(deployment.at("/spec/strategy/rollingUpdate/maxSurge").asInt()).isEqualTo(1);
  }

  @Test
  void replicaCountIsLeftToTheAutoscalerByDefault() {
    assertThat(deployment.path("spec").has("replicas")).isFalse();
  }

  @Test
  void nodeIdIsThePodNameFromTheDownwardApi() {
    JsonNode nodeId = r.nodeEnv().get("NODE_ID");
    assertThat(nodeId.at("/valueFrom/fieldRef/fieldPath").asText()).isEqualTo("metadata.name");
  }

  @Test
  void listensOnAllInterfacesOnPort8080() {
    assertThat(r.nodeEnvValues()).containsEntry("HOST", "0.0.0.0").containsEntry("PORT", "8080");
  }

  @Test
  void passesEveryNodeSettingFromValuesAsEnv() {
    assertThat(r.nodeEnvValues())
        .containsEntry("LOG_LEVEL", "INFO")
        .containsEntry("REDIS_POOL_SIZE", "16")
        .containsEntry("MAX_FRAME_BYTES", "65536")
        .containsEntry("MAX_NOTE_BYTES", "16384")
        .containsEntry("MAX_NOTES_PER_PAPER", "1000")
        .containsEntry("MAX_SIGNAL_BYTES", "1024")
        .containsEntry("HISTORY_SIZE", "1000")
        .containsEntry("COMPLETED_TTL", "7d")
        .containsEntry("PRESENCE_TTL", "30s")
        .containsEntry("PAPER_CHECK_INTERVAL", "10s")
        .containsEntry("UNSUBSCRIBE_LINGER", "5s")
        .containsEntry("SEND_QUEUE_SOFT_BYTES", "262144")
        .containsEntry("SEND_QUEUE_MAX_BYTES", "4194304")
        .containsEntry("BAD_FRAME_LIMIT", "10")
        .containsEntry("DRAIN_READY_DELAY", "5s")
        .containsEntry("DRAIN_CLOSE_WINDOW", "3s")
        .containsEntry("DRAIN_TIMEOUT", "10s");
  }

  @Test
  void configValuesAndExtraEnvAreRendered() {
    Rendered custom = Chart.template("""
        config:
          LOG_LEVEL: DEBUG
          HISTORY_SIZE: 5000
        extraEnv:
          - name: ARCHIVE_HOOK_URL
            value: http://backend/archive
        javaToolOptions: -XX:+PrintFlagsFinal
        """);
    assertThat(custom.nodeEnvValues())
        .containsEntry("LOG_LEVEL", "DEBUG")
        .containsEntry("HISTORY_SIZE", "5000")
        .containsEntry("ARCHIVE_HOOK_URL", "http://backend/archive")
        .containsEntry("JAVA_TOOL_OPTIONS", "-XX:+PrintFlagsFinal");
  }

  @Test
  void runsAsNonRootWithAReadOnlyRootFilesystemAndAWritableTmp() {
    assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.at("/securityContext/runAsUser").asInt()).isEqualTo(10001);
    assertThat(pod.at("/securityContext/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");
    assertThat(node.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(node.at("/securityContext/allowPrivilegeEscalation").asBoolean()).isFalse();
    assertThat(node.at("/securityContext/capabilities/drop").toString()).contains("ALL");
    assertThat(node.at("/volumeMounts/0/mountPath").asText()).isEqualTo("/tmp");
    String tmpVolume = node.at("/volumeMounts/0/name").asText();
    JsonNode volume = find(pod.path("volumes"), tmpVolume);
    assertThat(volume.has("emptyDir")).isTrue();
    assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).isFalse();
  }

  @Test
  void podsAreSpreadOverHostsAndZones() {
    JsonNode anti = pod.at("/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/0/podAffinityTerm");
    assertThat(anti.path("topologyKey").asText()).isEqualTo("kubernetes.io/hostname");
    assertThat(anti.at("/labelSelector/matchLabels/app.kubernetes.io~1component").asText()).isEqualTo("node");
    JsonNode spread = pod.at("/topologySpreadConstraints/0");
    assertThat(spread.path("topologyKey").asText()).isEqualTo("topology.kubernetes.io/zone");
    assertThat(spread.path("whenUnsatisfiable").asText()).isEqualTo("ScheduleAnyway");

    JsonNode hard = Chart.template("podAntiAffinity: hard").nodeDeployment()
        .at("/spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/0");
    assertThat(hard.path("topologyKey").asText()).isEqualTo("kubernetes.io/hostname");
  }

  @Test
  void drainSettingsDriveEnvAndGracePeriodTogether() {
    Rendered slow = Chart.template("""
        drain:
          preStopSleepSeconds: 0
          readyDelaySeconds: 8
          closeWindowSeconds: 12
          timeoutSeconds: 30
        """);
    assertThat(slow.nodeEnvValues())
        .containsEntry("DRAIN_READY_DELAY", "8s")
        .containsEntry("DRAIN_CLOSE_WINDOW", "12s")
        .containsEntry("DRAIN_TIMEOUT", "30s");
    assertThat(slow.nodeDeployment().at("/spec/template/spec/terminationGracePeriodSeconds").asInt())
        .isEqualTo(8 + 12 + 30 + 5);
    assertThat(slow.nodeContainer().has("lifecycle")).as("no preStop hook when its sleep is 0").isFalse();
  }

  @Test
  void anExplicitGracePeriodLongEnoughIsKept() {
    Rendered r = Chart.template("drain: {terminationGracePeriodSeconds: 60}");
    assertThat(r.nodeDeployment().at("/spec/template/spec/terminationGracePeriodSeconds").asInt()).isEqualTo(60);
  }

  @Test
  void refusesAGracePeriodShorterThanTheDrain() {
    String error = Chart.templateError("drain: {terminationGracePeriodSeconds: 15}");
    assertThat(error).contains("terminationGracePeriodSeconds=15 is shorter than the drain").contains("20");
  }

  @Test
  void replicaCountIsSetWhenAutoscalingIsOff() {
    Rendered fixed = Chart.template(ChartVariants.NO_AUTOSCALING);
    assertThat(fixed.nodeDeployment().at("/spec/replicas").asInt()).isEqualTo(5);
    assertThat(fixed.all("HorizontalPodAutoscaler")).isEmpty();
  }

  static int seconds(String duration) {
    assertThat(duration).matches("\\d+s");
    return Integer.parseInt(duration.substring(0, duration.length() - 1));
  }

  static JsonNode find(JsonNode array, String name) {
    List<String> names = new ArrayList<>();
    for (JsonNode n : array) {
      if (name.equals(n.path("name").asText())) {
        return n;
      }
      names.add(n.path("name").asText());
    }
    throw new AssertionError("no " + name + " in " + names);
  }
}
