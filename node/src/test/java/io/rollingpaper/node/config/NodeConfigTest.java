package io.rollingpaper.node.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NodeConfigTest {
  static final String SECRET = "hunter2-hunter2-hunter2-hunter2-hunter2";
  static final String API_KEY = "k3y-k3y-k3y-k3y-k3y-k3y-k3y-k3y-k3y";

  @Test
  void aNodeIdIsOneTo64SafeCharactersAndTheDefaultIsOne() {
    for (String bad : new String[] {"node 1", "a/b", "n\u00fc", "x".repeat(65), "a:b", "a\nb"}) {
      assertThatThrownBy(() -> NodeConfig.fromEnv(Map.of("NODE_ID", bad))).as(bad)
          .hasMessageContaining("NODE_ID must be 1 to 64 characters of [A-Za-z0-9._-]");
    }
    assertThat(NodeConfig.fromEnv(Map.of("NODE_ID", "node-1.eu_west")).nodeId()).isEqualTo("node-1.eu_west");
    assertThat(NodeConfig.fromEnv(Map.of()).nodeId()).matches("[A-Za-z0-9._-]{1,64}");
  }

  @Test
  void userBudgetsDefaultToTwiceThePerConnectionRates() {
    UserBudgets budgets = NodeConfig.fromEnv(Map.of("RATE_OPS_PER_SECOND", "7")).userBudgets();
    assertThat(budgets).isEqualTo(new UserBudgets(14, 200, 60, 120, 50));
    assertThatThrownBy(() -> NodeConfig.fromEnv(Map.of("RATE_OPS_PER_SECOND", "x")))
        .satisfies(e -> assertThat(e.getMessage().split("RATE_OPS_PER_SECOND must", -1)).as("said once").hasSize(2));
  }
  @Test
  void defaultsRunOneNodeInMemoryWithoutAuth() {
    NodeConfig config = NodeConfig.fromEnv(Map.of());
    assertThat(config.listen().port()).isEqualTo(8080);
    assertThat(config.redis()).isEmpty();
    assertThat(config.auth().enabled()).isFalse();
    assertThat(config.limits().maxFrameBytes()).isEqualTo(65536);
  }

  @Test
  void everyBadValueIsReportedAtOnce() {
    assertThatThrownBy(() -> NodeConfig.fromEnv(Map.of("PORT", "eighty", "PRESENCE_TTL", "soon", "MAX_NOTES_PER_PAPER", "0")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("PORT must be a whole number")
        .hasMessageContaining("PRESENCE_TTL must be a duration")
        .hasMessageContaining("MAX_NOTES_PER_PAPER must be between");
  }

  @Test
  void logFormatIsTextByDefaultJsonOnRequestAndNothingElse() {
    assertThat(NodeConfig.fromEnv(Map.of()).logs().format()).isEqualTo(LogSettings.Format.TEXT);
    assertThat(NodeConfig.fromEnv(Map.of("LOG_FORMAT", "json")).logs().format()).isEqualTo(LogSettings.Format.JSON);
    assertThatThrownBy(() -> NodeConfig.fromEnv(Map.of("LOG_FORMAT", "JSONL")))
        .hasMessageContaining("LOG_FORMAT must be text or json (got 'JSONL')");
  }

  @Test
  void aNodeOnRedisNeedsAuthOrAnExplicitOptOut() {
    assertThatThrownBy(() -> NodeConfig.fromEnv(Map.of("REDIS_URL", "redis://localhost:6379")))
        .hasMessageContaining("AUTH_DISABLED=true");
    assertThat(NodeConfig.fromEnv(Map.of("REDIS_URL", "redis://localhost:6379", "AUTH_DISABLED", "true")).redis())
        .isPresent();
    assertThatThrownBy(() -> NodeConfig.fromEnv(Map.of("AUTH_JWT_SECRET", SECRET)))
        .hasMessageContaining("set API_KEY");
  }

  @Test
  void redisModesAreExclusiveAndSentinelNeedsAMasterName() {
    assertThatThrownBy(() -> NodeConfig.fromEnv(Map.of("REDIS_URL", "redis://a:1", "REDIS_SENTINELS", "b:2",
        "AUTH_DISABLED", "true"))).hasMessageContaining("only one of");
    assertThatThrownBy(() -> NodeConfig.fromEnv(Map.of("REDIS_SENTINELS", "b:2", "AUTH_DISABLED", "true")))
        .hasMessageContaining("REDIS_MASTER_NAME");
    RedisSettings sentinel = NodeConfig.fromEnv(Map.of("REDIS_SENTINELS", "s1:26379,s2:26379", "REDIS_MASTER_NAME", "m",
        "AUTH_DISABLED", "true")).redis().get();
    assertThat(sentinel.mode()).isEqualTo(RedisSettings.Mode.SENTINEL);
    assertThat(sentinel.sentinels()).containsExactly("redis://s1:26379", "redis://s2:26379");
    assertThat(sentinel.waitReplicas()).isEqualTo(1);
  }

  @Test
  void secretsAreKeptOutOfTheConfigsText() {
    AuthSettings auth = NodeConfig.fromEnv(Map.of("AUTH_JWT_SECRET", SECRET, "API_KEY", API_KEY)).auth();
    assertThat(auth.toString()).doesNotContain(SECRET, API_KEY);
    assertThat(RedisSettings.redacted("redis://user:pa55@host:1")).isEqualTo("redis://user:***@host:1");
  }
}
