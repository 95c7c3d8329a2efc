{{/* Helpers of the operator-facing templates (Redis password, exposure, checksums). */}}

{{/* true when the built-in Redis runs with requirepass. */}}
{{- define "rpl.redisAuth" -}}
{{- if and (eq (include "rpl.redisMode" .) "builtin") .Values.redis.builtin.auth.enabled -}}true{{- end -}}
{{- end -}}

{{/* The Secret holding the built-in Redis's password. */}}
{{- define "rpl.redisPasswordSecretName" -}}
{{- default (printf "%s-redis" (include "rpl.fullname" .)) .Values.redis.builtin.auth.existingSecret -}}
{{- end -}}

{{/* true when the chart must generate the built-in Redis's password. */}}
{{- define "rpl.generateRedisPassword" -}}
{{- if and (include "rpl.redisAuth" .) (not .Values.redis.builtin.auth.existingSecret) -}}true{{- end -}}
{{- end -}}

{{/*
The Secrets the node pods read (auth, Redis password), with their data as found
in the cluster at install/upgrade time: rotating a Secret and running helm
upgrade changes this and so the pod template, and the pods roll. (lookup finds
nothing in helm template / --dry-run and GitOps renderers: there names, keys
and secretsChecksum.revision count.)
*/}}
{{- define "rpl.secretsChecksum" -}}
{{- $names := list -}}
{{- if .Values.auth.enabled -}}
{{- if eq .Values.auth.jwt.algorithm "HS256" -}}
{{- $names = append $names (default (include "rpl.authSecretName" .) .Values.auth.jwt.existingSecret) -}}
{{- else -}}
{{- $names = append $names .Values.auth.jwt.publicKey.existingSecret -}}
{{- end -}}
{{- $names = append $names (default (include "rpl.authSecretName" .) .Values.auth.apiKey.existingSecret) -}}
{{- end -}}
{{- if include "rpl.redisAuth" . -}}
{{- $names = append $names (include "rpl.redisPasswordSecretName" .) -}}
{{- end -}}
{{- $parts := list -}}
{{- range $name := uniq $names -}}
{{- $data := dict -}}
{{- if $.Values.secretsChecksum.lookup -}}
{{- $data = (lookup "v1" "Secret" $.Release.Namespace $name).data | default dict -}}
{{- end -}}
{{- $parts = append $parts (printf "%s=%s" $name (toJson $data)) -}}
{{- end -}}
{{- $parts = append $parts (toJson (list .Values.auth .Values.redis.builtin.auth .Values.secretsChecksum.revision)) -}}
{{- join ";" $parts | sha256sum -}}
{{- end -}}

{{/* Exposure (Ingress, HTTPRoute) goes to HAProxy, which must be on. */}}
{{- define "rpl.validateExposure" -}}
{{- if and (or .Values.ingress.enabled .Values.httpRoute.enabled) (not .Values.haproxy.enabled) -}}
{{- fail "ingress/httpRoute route to HAProxy: they need haproxy.enabled (a paper's sockets must meet on one node)" -}}
{{- end -}}
{{- if and .Values.ingress.enabled (not .Values.ingress.hosts) -}}
{{- fail "ingress.enabled needs at least one ingress.hosts entry" -}}
{{- end -}}
{{- if and .Values.httpRoute.enabled (not .Values.httpRoute.parentRefs) -}}
{{- fail "httpRoute.enabled needs httpRoute.parentRefs (the Gateway and its HTTPS listener)" -}}
{{- end -}}
{{- end -}}
