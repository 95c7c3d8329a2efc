package io.rollingpaper.deploy.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Iterator;
import java.util.Map;

/**
 * The chart helm/rolling-paper-live, rendered and linted with Helm's own engine (helm-java).
 * Values are given as YAML text, merged over values.yaml exactly as `helm -f` merges them.
 */
public final class Chart {
  public static final String RELEASE = "rpl";
  public static final String NAMESPACE = "boards";
  /** The name every object of the release is prefixed with. */
  public static final String FULLNAME = "rpl-rolling-paper-live";
  /**
   * The Kubernetes version rendered for: the oldest the chart's kubeVersion admits. helm-java's
   * engine otherwise assumes v1.20.0 (its build does not stamp a client-go version, unlike the
   * helm CLI), which the chart refuses.
   */
  public static final String KUBE_VERSION = "v1.25.0";

  static final YAMLMapper YAML = new YAMLMapper();

  private Chart() {}

  /** helm template with the default values. */
  public static Rendered template() {
    return template("");
  }

  /** helm template -f (a file holding valuesYaml). */
  public static Rendered template(String valuesYaml) {
    return new Rendered(templateText(valuesYaml));
  }

  public static String templateText(String valuesYaml) {
    return templateText(Repo.chart(), valuesYaml);
  }

  /**
   * helm template of a copy of the chart in which hook annotations are renamed
   * (helm.sh/hook* -> test.rolling-paper.io/hook*), so that hook resources (the generated auth
   * Secret) appear in the output: helm-java's template leaves hooks out, unlike the helm CLI.
   */
  public static Rendered templateWithHooksAsManifests(String valuesYaml) {
    Path copy = copyChart();
    try (var files = Files.walk(copy.resolve("templates"))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String text = Files.readString(f);
        Files.writeString(f, text.replace("helm.sh/hook", "test.rolling-paper.io/hook"));
      }
      return new Rendered(templateText(copy, valuesYaml));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      deleteTree(copy);
    }
  }

  private static String templateText(Path chart, String valuesYaml) {
    Path values = writeTemp("values", ".yaml", valuesYaml);
    try {
      return new Helm(chart).template()
          .withName(RELEASE)
          .withNamespace(NAMESPACE)
          .withKubeVersion(KUBE_VERSION)
          .withValuesFile(values)
          // helm-java's template is not client-only: `lookup` would try the (offline) cluster.
          .set("secretsChecksum.lookup", "false")
          .call();
    } finally {
      deleteQuietly(values);
    }
  }

  /**
   * helm template expected to fail (a `fail` in a template or a schema violation); returns Helm's
   * error message.
   */
  public static String templateError(String valuesYaml) {
    try {
      String out = templateText(valuesYaml);
      throw new AssertionError("expected helm template to fail, but it rendered:\n" + out);
    } catch (AssertionError e) {
      throw e;
    } catch (RuntimeException e) {
      return String.valueOf(e.getMessage());
    }
  }

  /** helm install --dry-run (client only): the release text including the rendered NOTES.txt. */
  public static String installDryRunOutput(String valuesYaml) {
    Path values = writeTemp("values", ".yaml", valuesYaml);
    try {
      return new Helm(Repo.chart()).install()
          .withName(RELEASE)
          .withNamespace(NAMESPACE)
          .withKubeVersion(KUBE_VERSION)
          .withValuesFile(values)
          // Not client-only for `lookup` either (see templateText).
          .set("secretsChecksum.lookup", "false")
          .clientOnly()
          .dryRun()
          .call()
          .getOutput();
    } finally {
      deleteQuietly(values);
    }
  }

  /**
   * helm lint --strict of the chart with valuesYaml merged into its values.yaml (Helm's lint has
   * no -f here, so the chart is copied and its values.yaml replaced by the merged values).
   */
  public static LintResult lint(String valuesYaml) {
    Path copy = copyChart();
    try {
      if (!valuesYaml.isBlank()) {
        ObjectNode base = (ObjectNode) YAML.readTree(copy.resolve("values.yaml").toFile());
        JsonNode override = YAML.readTree(valuesYaml);
        merge(base, (ObjectNode) override);
        YAML.writeValue(copy.resolve("values.yaml").toFile(), base);
      }
      return new Helm(copy).lint().strict().call();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      deleteTree(copy);
    }
  }

  static void merge(ObjectNode base, ObjectNode override) {
    Iterator<Map.Entry<String, JsonNode>> it = override.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode existing = base.get(e.getKey());
      if (existing instanceof ObjectNode eo && e.getValue() instanceof ObjectNode vo) {
        merge(eo, vo);
      } else {
        base.set(e.getKey(), e.getValue());
      }
    }
  }

  private static Path copyChart() {
    try {
      Path target = Files.createTempDirectory("chart-copy").resolve("rolling-paper-live");
      Path source = Repo.chart();
      Files.walkFileTree(source, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
          Files.createDirectories(target.resolve(source.relativize(dir).toString()));
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.copy(file, target.resolve(source.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING);
          return FileVisitResult.CONTINUE;
        }
      });
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path writeTemp(String prefix, String suffix, String content) {
    try {
      Path f = Files.createTempFile(prefix, suffix);
      Files.writeString(f, content);
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // a temp file; nothing else to do
    }
  }

  private static void deleteTree(Path dir) {
    Path top = dir.getParent();
    try (var walk = Files.walk(top)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(Chart::deleteQuietly);
    } catch (IOException ignored) {
      // temp dir
    }
  }
}
