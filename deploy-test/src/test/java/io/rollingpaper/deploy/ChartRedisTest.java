package io.rollingpaper.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollingpaper.deploy.support.Chart;
import io.rollingpaper.deploy.support.Rendered;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Which Redis the nodes use, and the built-in one. */
class ChartRedisTest {
  static final String REDIS = Chart.FULLNAME + "-redis";

  @Test
  void builtInRedisByDefaultWithAofOnAPersistentVolume() {
    Rendered r = Chart.template();
    JsonNode sts = r.get("StatefulSet", REDIS);
    assertThat(sts.at("/spec/replicas").asInt()).isEqualTo(1);
    JsonNode redis = Rendered.container(sts, "redis");
    List<String> args = strings(redis.path("args"));
    assertThat(args).containsSequence("--appendonly", "yes");
    assertThat(args).containsSequence("--appendfsync", "everysec");
    assertThat(args).containsSequence("--dir", "/data");
    assertThat(redis.at("/volumeMounts/0/mountPath").asText()).isEqualTo("/data");
    JsonNode claim = sts.at("/spec/volumeClaimTemplates/0");
    assertThat(claim.at("/metadata/name").asText()).isEqualTo(redis.at("/volumeMounts/0/name").asText());
    assertThat(claim.at("/spec/resources/requests/storage").asText()).isEqualTo("2Gi");
    assertThat(redis.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(sts.at("/spec/template/spec/securityContext/runAsNonRoot").asBoolean()).isTrue();
    assertThat(r.get("Service", REDIS).at("/spec/ports/0/port").asInt()).isEqualTo(6379);
    // The built-in Redis has a password by default (ChartOperatorsTest covers it); the URL carries it.
    assertThat(r.nodeEnvValues()).containsEntry("REDIS_URL", "redis://:$(REDIS_PASSWORD)@" + REDIS + ":6379");
  }

  @Test
  void builtInRedisRefusesWritesBelowItsContainerLimitAndNeverEvicts() {
    JsonNode redis = Rendered.container(Chart.template().get("StatefulSet", REDIS), "redis");
    List<String> args = strings(redis.path("args"));
    assertThat(args).containsSequence("--maxmemory-policy", "noeviction");
    assertThat(args).contains("--maxmemory");
    long maxmemory = redisBytes(args.get(args.indexOf("--maxmemory") + 1));
    long limit = kubernetesBytes(redis.at("/resources/limits/memory").asText());
    assertThat(maxmemory).as("maxmemory leaves room below the container limit").isPositive()
        .isLessThanOrEqualTo(limit * 3 / 4);
  }

  @Test
  void anUnboundedOrMalformedMaxmemoryIsRefusedByTheSchema() {
    assertThat(Chart.templateError("redis: {builtin: {maxmemory: \"0\"}}")).contains("maxmemory");
    assertThat(Chart.templateError("redis: {builtin: {maxmemory: \"lots\"}}")).contains("maxmemory");
  }

  /** Redis's memory units: k/m/g are powers of 1000, kb/mb/gb of 1024 (case-insensitive). */
  static long redisBytes(String value) {
    Matcher m = Pattern.compile("(?i)(\\d+)([kmg]b?)?").matcher(value);
    assertThat(m.matches()).as(value).isTrue();
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "" : m.group(2).toLowerCase();
    int power = unit.isEmpty() ? 0 : "kmg".indexOf(unit.charAt(0)) + 1;
    return n * (long) Math.pow(unit.endsWith("b") ? 1024 : 1000, power);
  }

  /** Kubernetes quantities as the chart uses them: Ki/Mi/Gi or plain bytes. */
  static long kubernetesBytes(String value) {
    Matcher m = Pattern.compile("(\\d+)(Ki|Mi|Gi)?").matcher(value);
    assertThat(m.matches()).as(value).isTrue();
    long n = Long.parseLong(m.group(1));
    int power = m.group(2) == null ? 0 : "KMG".indexOf(m.group(2).charAt(0)) + 1;
    return n * (long) Math.pow(1024, power);
  }

  @Test
  void builtInRedisVolumeSizeAndStorageClassComeFromValues() {
    JsonNode claim = Chart.template(ChartVariants.BUILTIN_REDIS).get("StatefulSet", REDIS)
        .at("/spec/volumeClaimTemplates/0/spec");
    assertThat(claim.at("/resources/requests/storage").asText()).isEqualTo("5Gi");
    assertThat(claim.path("storageClassName").asText()).isEqualTo("fast-ssd");
  }

  @Test
  void externalRedisUrlReplacesTheBuiltInOne() {
    Rendered r = Chart.template(ChartVariants.EXTERNAL_REDIS_URL);
    assertThat(r.nodeEnvValues()).containsEntry("REDIS_URL", "redis://redis.example.internal:6379");
    assertThat(r.nodeEnv()).doesNotContainKeys("REDIS_SENTINELS", "REDIS_MASTER_NAME");
    assertThat(r.all("StatefulSet")).isEmpty();
    assertThat(r.find("Service", REDIS)).isEmpty();
  }

  @Test
  void externalRedisUrlCanComeFromASecret() {
    Rendered r = Chart.template(ChartVariants.EXTERNAL_REDIS_SECRET);
    JsonNode ref = r.nodeEnv().get("REDIS_URL").at("/valueFrom/secretKeyRef");
    assertThat(ref.path("name").asText()).isEqualTo("redis-credentials");
    assertThat(ref.path("key").asText()).isEqualTo("url");
    assertThat(r.all("StatefulSet")).isEmpty();
  }

  @Test
  void sentinelAddressesAndMasterNameArePassedInsteadOfAUrl() {
    Rendered r = Chart.template(ChartVariants.SENTINEL);
    assertThat(r.nodeEnvValues())
        .containsEntry("REDIS_SENTINELS", "sentinel-0.sentinel:26379,sentinel-1.sentinel:26379,sentinel-2.sentinel:26379")
        .containsEntry("REDIS_MASTER_NAME", "boards");
    assertThat(r.nodeEnv()).doesNotContainKey("REDIS_URL");
    assertThat(r.all("StatefulSet")).isEmpty();
  }

  @Test
  void clusterSeedsArePassedInsteadOfAUrlWithTheAcknowledgementRule() {
    Rendered r = Chart.template(ChartVariants.REDIS_CLUSTER);
    assertThat(r.nodeEnvValues())
        .containsEntry("REDIS_CLUSTER_NODES",
            "redis://redis-cluster-0.redis-cluster:6379,redis://redis-cluster-1.redis-cluster:6379")
        .containsEntry("REDIS_WAIT_REPLICAS", "1")
        .containsEntry("REDIS_WAIT_TIMEOUT", "2s");
    assertThat(r.nodeEnv()).doesNotContainKeys("REDIS_URL", "REDIS_SENTINELS");
    assertThat(r.all("StatefulSet")).isEmpty();
  }

  @Test
  void withoutWaitReplicasTheNodeKeepsItsOwnDefault() {
    Rendered r = Chart.template(ChartVariants.SENTINEL);
    assertThat(r.nodeEnv()).doesNotContainKey("REDIS_WAIT_REPLICAS");
    assertThat(r.nodeEnvValues()).containsEntry("REDIS_WAIT_TIMEOUT", "500ms");
  }

  @Test
  void aNegativeWaitOrAMalformedClusterSeedIsRefusedByTheSchema() {
    assertThat(Chart.templateError("redis: {waitReplicas: -1}")).contains("waitReplicas");
    assertThat(Chart.templateError("redis: {external: {clusterNodes: [\"redis-cluster-0:6379\"]}}"))
        .contains("clusterNodes");
  }

  @Test
  void noRedisAtAllIsRefused() {
    String error = Chart.templateError("redis: {builtin: {enabled: false}}");
    assertThat(error).contains("redis: set redis.external.url");
  }

  @Test
  void malformedSentinelAddressesAreRefusedByTheSchema() {
    String error = Chart.templateError("redis: {external: {sentinels: [\"sentinel-0\"]}}");
    assertThat(error).contains("at '/redis/external/sentinels/0'");
  }

  static List<String> strings(JsonNode array) {
    List<String> l = new ArrayList<>();
    array.forEach(n -> l.add(n.asText()));
    return l;
  }
}
