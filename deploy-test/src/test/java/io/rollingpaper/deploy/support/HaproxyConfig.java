package io.rollingpaper.deploy.support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A parsed HAProxy configuration: sections ("global", "defaults", "backend nodes", ...) and their
 * directives, comments and blank lines removed, whitespace collapsed.
 */
public final class HaproxyConfig {
  private final Map<String, List<String>> sections;

  private HaproxyConfig(Map<String, List<String>> sections) {
    this.sections = sections;
  }

  public static HaproxyConfig parse(String text) {
    Map<String, List<String>> sections = new LinkedHashMap<>();
    List<String> current = null;
    for (String raw : text.split("\n", -1)) {
      String line = stripComment(raw);
      if (line.isBlank()) {
        continue;
      }
      boolean indented = Character.isWhitespace(raw.charAt(0));
      String norm = line.trim().replaceAll("\\s+", " ");
      if (!indented) {
        current = new ArrayList<>();
        sections.put(norm, current);
      } else if (current != null) {
        current.add(norm);
      } else {
        throw new IllegalArgumentException("directive outside a section: " + raw);
      }
    }
    return new HaproxyConfig(sections);
  }

  private static String stripComment(String line) {
    // HAProxy comments start with an unescaped # outside quotes; our configs use none inside values.
    int i = line.indexOf('#');
    return i < 0 ? line : line.substring(0, i);
  }

  public List<String> section(String name) {
    List<String> s = sections.get(name);
    if (s == null) {
      throw new AssertionError("no section '" + name + "' in " + sections.keySet());
    }
    return s;
  }

  public boolean hasSection(String name) {
    return sections.containsKey(name);
  }

  /** The directives of a section starting with the given words, e.g. "timeout tunnel". */
  public List<String> directives(String section, String prefix) {
    return section(section).stream()
        .filter(d -> d.equals(prefix) || d.startsWith(prefix + " "))
        .collect(Collectors.toList());
  }

  /** The one directive starting with prefix, without the prefix. */
  public Optional<String> value(String section, String prefix) {
    List<String> d = directives(section, prefix);
    if (d.size() > 1) {
      throw new AssertionError("more than one '" + prefix + "' in " + section + ": " + d);
    }
    return d.stream().findFirst().map(s -> s.substring(prefix.length()).trim());
  }

  /** Every timeout of the defaults section, name to value. */
  public Map<String, String> timeouts() {
    Map<String, String> m = new LinkedHashMap<>();
    for (String d : directives("defaults", "timeout")) {
      String[] p = d.split(" ");
      m.put(p[1], p[2]);
    }
    return m;
  }
}
