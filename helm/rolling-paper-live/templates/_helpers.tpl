{{/* Chart name. */}}
{{- define "rpl.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-qualified name, at most 50 characters so suffixes like -haproxy fit in 63. */}}
{{- define "rpl.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "rpl.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Common labels; call with (dict "ctx" $ "component" "node"). */}}
{{- define "rpl.labels" -}}
helm.sh/chart: {{ include "rpl.chart" .ctx }}
{{ include "rpl.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: rolling-paper-live
{{- end -}}

{{- define "rpl.selectorLabels" -}}
app.kubernetes.io/name: {{ include "rpl.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "rpl.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "rpl.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "rpl.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Name of the headless Service HAProxy resolves. */}}
{{- define "rpl.nodesServiceName" -}}
{{- printf "%s-nodes" (include "rpl.fullname" .) -}}
{{- end -}}

{{- define "rpl.redisName" -}}
{{- printf "%s-redis" (include "rpl.fullname" .) -}}
{{- end -}}

{{- define "rpl.haproxyName" -}}
{{- printf "%s-haproxy" (include "rpl.fullname" .) -}}
{{- end -}}

{{/* The Secret the chart generates for auth (when no existing secret is given). */}}
{{- define "rpl.authSecretName" -}}
{{- printf "%s-auth" (include "rpl.fullname" .) -}}
{{- end -}}

{{/* true when the chart must generate the JWT secret. */}}
{{- define "rpl.generateJwtSecret" -}}
{{- if and .Values.auth.enabled (eq .Values.auth.jwt.algorithm "HS256") (not .Values.auth.jwt.existingSecret) -}}true{{- end -}}
{{- end -}}

{{- define "rpl.generateApiKey" -}}
{{- if and .Values.auth.enabled (not .Values.auth.apiKey.existingSecret) -}}true{{- end -}}
{{- end -}}

{{/* Which Redis the nodes use: sentinel, url, secret, builtin. */}}
{{- define "rpl.redisMode" -}}
{{- $ext := .Values.redis.external -}}
{{- if $ext.sentinels -}}sentinel
{{- else if $ext.clusterNodes -}}cluster
{{- else if $ext.existingSecret -}}secret
{{- else if $ext.url -}}url
{{- else if .Values.redis.builtin.enabled -}}builtin
{{- else -}}
{{- fail "redis: set redis.external.url, redis.external.existingSecret, redis.external.sentinels or redis.external.clusterNodes, or enable redis.builtin" -}}
{{- end -}}
{{- end -}}

{{/* Seconds the drain may take, and the grace period that covers it. */}}
{{- define "rpl.drainSeconds" -}}
{{- $d := .Values.drain -}}
{{- add (int $d.preStopSleepSeconds) (int $d.readyDelaySeconds) (int $d.closeWindowSeconds) (int $d.timeoutSeconds) -}}
{{- end -}}

{{- define "rpl.terminationGracePeriodSeconds" -}}
{{- $needed := int (include "rpl.drainSeconds" .) -}}
{{- $given := .Values.drain.terminationGracePeriodSeconds -}}
{{- if kindIs "invalid" $given -}}
{{- add $needed (int .Values.drain.marginSeconds) -}}
{{- else if lt (int $given) $needed -}}
{{- fail (printf "drain.terminationGracePeriodSeconds=%d is shorter than the drain it must cover: preStopSleep+readyDelay+closeWindow+timeout = %d" (int $given) $needed) -}}
{{- else -}}
{{- int $given -}}
{{- end -}}
{{- end -}}

{{/* HAProxy server slots: enough for the largest replica count. */}}
{{- define "rpl.haproxySlots" -}}
{{- if .Values.haproxy.serverSlots -}}
{{- int .Values.haproxy.serverSlots -}}
{{- else if .Values.autoscaling.enabled -}}
{{- max (int .Values.autoscaling.maxReplicas) (int .Values.replicaCount) -}}
{{- else -}}
{{- int .Values.replicaCount -}}
{{- end -}}
{{- end -}}

{{/* Cross-value checks, included by the node Deployment. */}}
{{- define "rpl.validate" -}}
{{- $reserved := list "PORT" "HOST" "NODE_ID" "REDIS_URL" "REDIS_SENTINELS" "REDIS_MASTER_NAME" "REDIS_PASSWORD" "DRAIN_READY_DELAY" "DRAIN_CLOSE_WINDOW" "DRAIN_TIMEOUT" "AUTH_JWT_SECRET" "AUTH_JWT_PUBLIC_KEY_FILE" "API_KEY" "ALLOWED_ORIGINS" "JAVA_TOOL_OPTIONS" -}}
{{- range $k, $v := .Values.config -}}
{{- if has $k $reserved -}}
{{- fail (printf "config.%s is set by the chart from other values (see values.yaml); remove it from config" $k) -}}
{{- end -}}
{{- end -}}
{{- $h := .Values.haproxy.healthCheck -}}
{{- if ge (mul (int $h.intervalMs) (int $h.fall)) (mul (int .Values.drain.readyDelaySeconds) 1000) -}}
{{- fail (printf "haproxy.healthCheck: intervalMs x fall = %dms must be below drain.readyDelaySeconds (%ds), or HAProxy still sends clients to a node that is closing its sessions" (mul (int $h.intervalMs) (int $h.fall)) (int .Values.drain.readyDelaySeconds)) -}}
{{- end -}}
{{- if and .Values.auth.enabled (ne .Values.auth.jwt.algorithm "HS256") (not .Values.auth.jwt.publicKey.existingSecret) -}}
{{- fail (printf "auth.jwt.algorithm=%s needs auth.jwt.publicKey.existingSecret (a Secret with the PEM public key)" .Values.auth.jwt.algorithm) -}}
{{- end -}}
{{- if and .Values.redis.external.sentinels (not .Values.redis.external.masterName) -}}
{{- fail "redis.external.sentinels needs redis.external.masterName" -}}
{{- end -}}
{{- if and .Values.autoscaling.enabled (lt (int .Values.autoscaling.maxReplicas) (int .Values.autoscaling.minReplicas)) -}}
{{- fail "autoscaling.maxReplicas must be >= autoscaling.minReplicas" -}}
{{- end -}}
{{- if and .Values.autoscaling.enabled (kindIs "invalid" .Values.autoscaling.targetCPUUtilizationPercentage) (not .Values.autoscaling.connectionsPerPod.enabled) -}}
{{- fail "autoscaling needs at least one metric: targetCPUUtilizationPercentage or connectionsPerPod" -}}
{{- end -}}
{{- if and .Values.haproxy.serverSlots .Values.autoscaling.enabled (lt (int .Values.haproxy.serverSlots) (int .Values.autoscaling.maxReplicas)) -}}
{{- fail "haproxy.serverSlots must be >= autoscaling.maxReplicas, or pods beyond the slots get no traffic" -}}
{{- end -}}
{{- end -}}

{{/* Go-style duration in seconds, e.g. 5 -> "5s". */}}
{{- define "rpl.seconds" -}}
{{- printf "%ds" (int .) -}}
{{- end -}}
