package io.rollingpaper.deploy.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** The objects of one `helm template` run. */
public final class Rendered {
  private final String text;
  private final List<JsonNode> objects = new ArrayList<>();

  Rendered(String text) {
    this.text = text;
    try (MappingIterator<JsonNode> it = Chart.YAML.readerFor(JsonNode.class).readValues(text)) {
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && !doc.isNull() && !doc.isMissingNode() && doc.size() > 0) {
          objects.add(doc);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("rendered chart is not valid YAML:\n" + text, e);
    }
  }

  public String text() {
    return text;
  }

  public List<JsonNode> objects() {
    return objects;
  }

  /** "Kind/name" of every object, for messages. */
  public List<String> ids() {
    return objects.stream().map(o -> o.path("kind").asText() + "/" + o.path("metadata").path("name").asText())
        .collect(Collectors.toList());
  }

  public List<JsonNode> all(String kind) {
    return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).collect(Collectors.toList());
  }

  public Optional<JsonNode> find(String kind, String name) {
    return objects.stream()
        .filter(o -> kind.equals(o.path("kind").asText()) && name.equals(o.path("metadata").path("name").asText()))
        .findFirst();
  }

  public JsonNode get(String kind, String name) {
    return find(kind, name).orElseThrow(() -> new AssertionError("no " + kind + "/" + name + " in " + ids()));
  }

  /** The node Deployment. */
  public JsonNode nodeDeployment() {
    return get("Deployment", Chart.FULLNAME);
  }

  /** The node container of the node Deployment. */
  public JsonNode nodeContainer() {
    return container(nodeDeployment(), "node");
  }

  public static JsonNode container(JsonNode workload, String name) {
    for (JsonNode c : workload.path("spec").path("template").path("spec").path("containers")) {
      if (name.equals(c.path("name").asText())) {
        return c;
      }
    }
    throw new AssertionError("no container " + name + " in " + workload.path("metadata").path("name"));
  }

  /** Env entries of a container by name (value entries as text, valueFrom entries as their node). */
  public static Map<String, JsonNode> env(JsonNode container) {
    Map<String, JsonNode> m = new LinkedHashMap<>();
    for (JsonNode e : container.path("env")) {
      String name = e.path("name").asText();
      if (m.containsKey(name)) {
        throw new AssertionError("env " + name + " defined twice");
      }
      m.put(name, e);
    }
    return m;
  }

  public Map<String, JsonNode> nodeEnv() {
    return env(nodeContainer());
  }

  /** Plain env values of the node container. */
  public Map<String, String> nodeEnvValues() {
    Map<String, String> m = new LinkedHashMap<>();
    nodeEnv().forEach((k, v) -> {
      if (v.has("value")) {
        m.put(k, v.get("value").asText());
      }
    });
    return m;
  }

  /** haproxy.cfg of the HAProxy ConfigMap. */
  public String haproxyConfig() {
    return get("ConfigMap", Chart.FULLNAME + "-haproxy").path("data").path("haproxy.cfg").asText();
  }
}
