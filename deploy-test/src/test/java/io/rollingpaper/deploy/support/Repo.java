package io.rollingpaper.deploy.support;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths of the repository under test. */
public final class Repo {
  private Repo() {}

  /** The repository root: system property repo.root (set by the pom), else the parent of the working dir. */
  public static Path root() {
    String prop = System.getProperty("repo.root");
    Path root = (prop != null ? Path.of(prop) : Path.of("..")).toAbsolutePath().normalize();
    if (!Files.isRegularFile(root.resolve("haproxy.cfg"))) {
      throw new IllegalStateException("not the repository root (no haproxy.cfg): " + root);
    }
    return root;
  }

  public static Path chart() {
    return root().resolve("helm/rolling-paper-live");
  }

  public static Path haproxyCfg() {
    return root().resolve("haproxy.cfg");
  }

  public static Path clusterScript() {
    return root().resolve("scripts/cluster");
  }
}
