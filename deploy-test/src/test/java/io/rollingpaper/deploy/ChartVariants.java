package io.rollingpaper.deploy;

import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** The value sets the chart is tested with: defaults and the main deployment variants. */
final class ChartVariants {
  private ChartVariants() {}

  static final String DEFAULTS = "";

  static final String EXTERNAL_REDIS_URL = """
      redis:
        external:
          url: redis://redis.example.internal:6379
      """;

  static final String EXTERNAL_REDIS_SECRET = """
      redis:
        external:
          existingSecret: redis-credentials
          existingSecretKey: url
      """;

  static final String SENTINEL = """
      redis:
        external:
          sentinels: ["sentinel-0.sentinel:26379", "sentinel-1.sentinel:26379", "sentinel-2.sentinel:26379"]
          masterName: boards
      """;

  static final String REDIS_CLUSTER = """
      redis:
        builtin:
          enabled: false
        external:
          clusterNodes: ["redis://redis-cluster-0.redis-cluster:6379", "redis://redis-cluster-1.redis-cluster:6379"]
        waitReplicas: 1
        waitTimeout: 2s
      """;

  static final String BUILTIN_REDIS = """
      redis:
        builtin:
          enabled: true
          persistence:
            size: 5Gi
            storageClass: fast-ssd
      """;

  static final String SERVICE_MONITOR = """
      metrics:
        serviceMonitor:
          enabled: true
          interval: 15s
          labels:
            release: kube-prometheus-stack
      """;

  static final String HPA_CONNECTIONS = """
      autoscaling:
        minReplicas: 4
        maxReplicas: 24
        targetCPUUtilizationPercentage: null
        connectionsPerPod:
          enabled: true
          metricName: rpl_connections
          averageValue: "1500"
      """;

  static final String LOADBALANCER_HAPROXY = """
      haproxy:
        service:
          type: LoadBalancer
          port: 443
          externalTrafficPolicy: Local
          loadBalancerSourceRanges: ["203.0.113.0/24"]
          annotations:
            service.beta.kubernetes.io/aws-load-balancer-type: nlb
      """;

  static final String NO_AUTOSCALING = """
      replicaCount: 5
      autoscaling:
        enabled: false
      """;

  static final String AUTH_EXISTING_SECRETS = """
      auth:
        jwt:
          existingSecret: backend-jwt
          secretKey: hs256
        apiKey:
          existingSecret: backend-api
          key: token
        allowedOrigins: ["https://boards.example.com", "https://www.example.com"]
      """;

  static final String AUTH_RS256 = """
      auth:
        jwt:
          algorithm: RS256
          publicKey:
            existingSecret: backend-jwt-public
            key: jwt.pem
        apiKey:
          existingSecret: backend-api
      """;

  static final String AUTH_OFF = """
      auth:
        enabled: false
      """;

  static final String LEASTCONN = """
      haproxy:
        balance: leastconn
      """;

  /** Everything an operator can switch on around the nodes, at once. */
  static final String OPERATORS = """
      metrics:
        serviceMonitor:
          enabled: true
      grafanaDashboard:
        enabled: true
        annotations:
          grafana_folder: Rolling Paper
      prometheusRule:
        enabled: true
        labels:
          release: kube-prometheus-stack
        redisSelector: 'namespace="boards",service="redis-exporter"'
      ingress:
        enabled: true
        className: nginx
        hosts: ["boards.example.com"]
        tls:
          - secretName: boards-example-com-tls
            hosts: ["boards.example.com"]
      httpRoute:
        enabled: true
        parentRefs:
          - name: public-gateway
            namespace: gateway-system
            sectionName: https
        hostnames: ["boards.example.com"]
      networkPolicy:
        enabled: true
        nodeExtraFrom:
          - namespaceSelector:
              matchLabels:
                kubernetes.io/metadata.name: monitoring
        postgresqlPodSelector:
          app.kubernetes.io/name: postgresql
      envFrom:
        - secretRef:
            name: rolling-paper-extra
      extraVolumes:
        - name: ca
          configMap:
            name: corporate-ca
      extraVolumeMounts:
        - name: ca
          mountPath: /etc/ssl/corporate
          readOnly: true
      """;

  static final String BUILTIN_REDIS_PASSWORD_SECRET = """
      redis:
        builtin:
          auth:
            existingSecret: redis-password
            existingSecretKey: password
      """;

  static final String BUILTIN_REDIS_NO_PASSWORD = """
      redis:
        builtin:
          auth:
            enabled: false
      """;

  static Stream<Arguments> all() {
    return Stream.of(
        Arguments.of("defaults", DEFAULTS),
        Arguments.of("external Redis URL", EXTERNAL_REDIS_URL),
        Arguments.of("external Redis URL from a Secret", EXTERNAL_REDIS_SECRET),
        Arguments.of("Redis Sentinel", SENTINEL),
        Arguments.of("Redis Cluster", REDIS_CLUSTER),
        Arguments.of("built-in Redis", BUILTIN_REDIS),
        Arguments.of("ServiceMonitor", SERVICE_MONITOR),
        Arguments.of("HPA on connections per pod", HPA_CONNECTIONS),
        Arguments.of("LoadBalancer HAProxy", LOADBALANCER_HAPROXY),
        Arguments.of("no autoscaling", NO_AUTOSCALING),
        Arguments.of("auth with existing secrets", AUTH_EXISTING_SECRETS),
        Arguments.of("auth RS256", AUTH_RS256),
        Arguments.of("auth off", AUTH_OFF),
        Arguments.of("leastconn", LEASTCONN),
        Arguments.of("operators: dashboard, alerts, ingress, HTTPRoute, NetworkPolicy, envFrom", OPERATORS),
        Arguments.of("built-in Redis password from a Secret", BUILTIN_REDIS_PASSWORD_SECRET),
        Arguments.of("built-in Redis without password", BUILTIN_REDIS_NO_PASSWORD));
  }
}
