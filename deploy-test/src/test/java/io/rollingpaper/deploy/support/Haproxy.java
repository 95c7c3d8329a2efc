package io.rollingpaper.deploy.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The haproxy binary (apt-get install haproxy): `haproxy -c` on config files. */
public final class Haproxy {
  private Haproxy() {}

  public static String binary() {
    String fromEnv = System.getenv("HAPROXY_BIN");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      for (String name : List.of("haproxy")) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return p.toString();
        }
      }
    }
    for (String p : List.of("/usr/sbin/haproxy", "/usr/local/sbin/haproxy")) {
      if (Files.isExecutable(Path.of(p))) {
        return p;
      }
    }
    throw new AssertionError("haproxy not found on PATH: these tests need it (apt-get install haproxy)");
  }

  public static Proc.Result check(Path config) {
    return Proc.run(List.of(binary(), "-c", "-f", config.toString()), config.getParent(), 60);
  }

  /** haproxy -c accepts the file, without a warning or an alert. */
  public static void assertValid(Path config) {
    Proc.Result r = check(config);
    assertThat(r.exitCode()).as("haproxy -c -f %s exit code; output:%n%s", config, r.output()).isZero();
    assertThat(r.output()).as("haproxy -c output for %s", config)
        .contains("Configuration file is valid")
        .doesNotContain("[WARNING]")
        .doesNotContain("[ALERT]");
  }

  public static void assertValid(String configText) {
    try {
      Path dir = Files.createTempDirectory("haproxy-check");
      Path file = dir.resolve("haproxy.cfg");
      Files.writeString(file, configText);
      try {
        assertValid(file);
      } finally {
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
