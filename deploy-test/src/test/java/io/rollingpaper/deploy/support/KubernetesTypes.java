package io.rollingpaper.deploy.support;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Strict validation of rendered manifests against the Kubernetes API types (fabric8's generated
 * models of the Kubernetes, Gateway API and Prometheus Operator schemas). The models keep fields
 * they do not know in an "additionalProperties" map instead of failing, so after binding every
 * model object of the tree is walked and any such leftover is reported with its path: a misspelt
 * or misplaced field fails here just as `kubectl apply --validate=strict` would refuse it.
 */
public final class KubernetesTypes {
  /** apiVersion/kind -> model class; a kind missing here is itself a failure (never unchecked). */
  private static final Map<String, Class<? extends HasMetadata>> TYPES = Map.ofEntries(
      Map.entry("v1/Service", Service.class),
      Map.entry("v1/ConfigMap", ConfigMap.class),
      Map.entry("v1/Secret", Secret.class),
      Map.entry("v1/ServiceAccount", ServiceAccount.class),
      Map.entry("apps/v1/Deployment", Deployment.class),
      Map.entry("apps/v1/StatefulSet", StatefulSet.class),
      Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
      Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
      Map.entry("networking.k8s.io/v1/Ingress", Ingress.class),
      Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
      Map.entry("gateway.networking.k8s.io/v1/HTTPRoute", HTTPRoute.class),
      Map.entry("monitoring.coreos.com/v1/PrometheusRule", PrometheusRule.class),
      Map.entry("monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class));

  // No scalar coercion: "8080" where an integer belongs (or 3 where a string does) is an error
  // the API server would reject too.
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .build();

  private KubernetesTypes() {}

  /** Problems of one rendered object ("Kind/name: path: problem"); empty when it is valid. */
  public static List<String> problems(JsonNode manifest) {
    String apiVersion = manifest.path("apiVersion").asText();
    String kind = manifest.path("kind").asText();
    String id = kind + "/" + manifest.path("metadata").path("name").asText();
    List<String> problems = new ArrayList<>();
    if (manifest.path("metadata").path("name").asText().isEmpty()) {
      problems.add(id + ": metadata.name is missing");
    }
    Class<? extends HasMetadata> type = TYPES.get(apiVersion + "/" + kind);
    if (type == null) {
      problems.add(id + ": no API type known for " + apiVersion + "/" + kind);
      return problems;
    }
    Object model;
    try {
      model = MAPPER.treeToValue(manifest, type);
    } catch (Exception e) {
      problems.add(id + ": " + e.getMessage());
      return problems;
    }
    walk(model, kind, id, problems);
    return problems;
  }

  private static void walk(Object value, String path, String id, List<String> problems) {
    if (value == null) {
      return;
    }
    if (value instanceof Collection<?> list) {
      int i = 0;
      for (Object item : list) {
        walk(item, path + "[" + i++ + "]", id, problems);
      }
      return;
    }
    if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> walk(v, path + "." + k, id, problems));
      return;
    }
    if (!value.getClass().getPackageName().startsWith("io.fabric8")) {
      return;
    }
    for (Method m : value.getClass().getMethods()) {
      if (m.getParameterCount() != 0 || !m.getName().startsWith("get") || Modifier.isStatic(m.getModifiers())
          || m.getDeclaringClass() == Object.class) {
        continue;
      }
      Object child = invoke(m, value);
      if (m.getName().equals("getAdditionalProperties")) {
        if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
          problems.add(id + ": " + path + ": fields not in " + value.getClass().getSimpleName() + ": " + extra.keySet());
        }
      } else {
        walk(child, path + "." + property(m.getName()), id, problems);
      }
    }
  }

  private static Object invoke(Method m, Object target) {
    try {
      return m.invoke(target);
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new AssertionError("cannot read " + m + " of " + target, e);
    }
  }

  private static String property(String getter) {
    String p = getter.substring(3);
    return p.isEmpty() ? p : Character.toLowerCase(p.charAt(0)) + p.substring(1);
  }
}
