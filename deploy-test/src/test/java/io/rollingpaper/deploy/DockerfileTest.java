package io.rollingpaper.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollingpaper.deploy.support.Repo;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The node image's Dockerfile (no Docker engine here: its instructions, read as text). */
class DockerfileTest {
  static List<String> runtime;

  /** The runtime stage's instructions, continuation lines joined, comments dropped. */
  @BeforeAll
  static void load() throws IOException {
    String text = Files.readString(Repo.root().resolve("Dockerfile")).replaceAll("\\\\\\n", " ");
    List<String> instructions = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (!line.isBlank() && !line.stripLeading().startsWith("#")) {
        instructions.add(line.strip().replaceAll("\\s+", " "));
      }
    }
    int lastFrom = 0;
    for (int i = 0; i < instructions.size(); i++) {
      if (instructions.get(i).startsWith("FROM ")) {
        lastFrom = i;
      }
    }
    runtime = instructions.subList(lastFrom, instructions.size());
  }

  @Test
  void healthcheckCallsCurlWhichTheRuntimeStageInstalls() {
    String healthcheck = one("HEALTHCHECK ");
    assertThat(healthcheck).contains("CMD curl").contains("http://127.0.0.1:${PORT}/health/live")
        .contains("--start-period=");
    assertThat(runtime).anyMatch(i -> i.startsWith("RUN ") && i.contains("apt-get install") && i.contains(" curl"));
    assertThat(runtime.indexOf(one("USER "))).as("installed as root, before USER")
        .isGreaterThan(runtime.indexOf(runtime.stream().filter(i -> i.contains(" curl")).findFirst().orElseThrow()));
  }

  @Test
  void carriesOciLabels() {
    String labels = String.join(" ", runtime.stream().filter(i -> i.startsWith("LABEL ")).toList());
    for (String key : List.of("title", "description", "version", "revision", "created", "source")) {
      assertThat(labels).contains("org.opencontainers.image." + key + "=");
    }
  }

  @Test
  void stopsWithSigtermAndADocumentedStopTimeoutThatCoversTheDrainAndMatchesCompose() throws IOException {
    assertThat(one("STOPSIGNAL ")).isEqualTo("STOPSIGNAL SIGTERM");
    Matcher m = Pattern.compile("io\\.rolling-paper\\.stop-timeout=\"(\\d+)\"").matcher(String.join(" ", runtime));
    assertThat(m.find()).isTrue();
    int stopTimeout = Integer.parseInt(m.group(1));
    assertThat(stopTimeout).as("stop timeout vs drain (5s + 3s + 10s)").isGreaterThan((int) ComposeTest.DRAIN_SECONDS);
    String dockerfile = Files.readString(Repo.root().resolve("Dockerfile"));
    assertThat(dockerfile).contains("docker run --stop-timeout " + stopTimeout)
        .contains("stop_grace_period: " + stopTimeout + "s");
    Object compose = new Yaml().load(Files.readString(Repo.root().resolve("compose.yaml")));
    assertThat(compose.toString()).contains("stop_grace_period=" + stopTimeout + "s");
  }

  @Test
  void entrypointIsExecFormSoJavaGetsTheSignal() {
    assertThat(one("ENTRYPOINT ")).startsWith("ENTRYPOINT [\"java\",");
  }

  private static String one(String prefix) {
    List<String> found = runtime.stream().filter(i -> i.startsWith(prefix)).toList();
    assertThat(found).as(prefix).hasSize(1);
    return found.get(0);
  }
}
