{{/* The archive (PostgreSQL) and the completion webhook: the node's env entries and their checks. */}}
{{- define "rpl.archiveEnv" -}}
{{- if .Values.archive.enabled }}
- name: ARCHIVE_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.archive.existingSecret }}
      key: {{ .Values.archive.existingSecretKey }}
- name: ARCHIVE_POOL_SIZE
  value: {{ .Values.archive.poolSize | toString | quote }}
{{- end }}
{{- if .Values.webhook.enabled }}
- name: WEBHOOK_URL
  value: {{ .Values.webhook.url | quote }}
- name: WEBHOOK_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ .Values.webhook.existingSecret }}
      key: {{ .Values.webhook.secretKey }}
- name: WEBHOOK_MAX_ATTEMPTS
  value: {{ .Values.webhook.maxAttempts | toString | quote }}
- name: WEBHOOK_MAX_AGE
  value: {{ .Values.webhook.maxAge | quote }}
{{- end }}
{{- end -}}

{{- define "rpl.validateArchive" -}}
{{- range $k := list "ARCHIVE_DATABASE_URL" "ARCHIVE_POOL_SIZE" "WEBHOOK_URL" "WEBHOOK_SECRET" "WEBHOOK_MAX_ATTEMPTS" "WEBHOOK_MAX_AGE" -}}
{{- if hasKey $.Values.config $k -}}
{{- fail (printf "config.%s is set by the chart from the archive and webhook sections; remove it from config" $k) -}}
{{- end -}}
{{- end -}}
{{- if and .Values.archive.enabled (not .Values.archive.existingSecret) -}}
{{- fail "archive.enabled needs archive.existingSecret: a Secret with the postgresql://user:password@host:port/db URL" -}}
{{- end -}}
{{- if .Values.webhook.enabled -}}
{{- if not .Values.webhook.url -}}
{{- fail "webhook.enabled needs webhook.url" -}}
{{- end -}}
{{- if not .Values.webhook.existingSecret -}}
{{- fail "webhook.enabled needs webhook.existingSecret: a Secret with the signing secret (at least 32 bytes)" -}}
{{- end -}}
{{- if not .Values.archive.enabled -}}
{{- fail "webhook.enabled needs archive.enabled: the webhook's durable outbox lives in the archive" -}}
{{- end -}}
{{- end -}}
{{- end -}}
