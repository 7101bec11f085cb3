{{/* The service's non-secret settings; secrets come from existingSecret or Vault files. */}}
{{- define "coffeebuddy.configmap" -}}
{{- $url := .Values.database.url }}
{{- if regexMatch "://[^/@]*:[^/@]*@" $url }}
{{- fail "database.url carries a password: put DATABASE_URL in existingSecret, or let Vault render the credentials (vault.database)" }}
{{- end }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "coffeebuddy.fullname" . }}
  labels:
    {{- include "coffeebuddy.labels" . | nindent 4 }}
data:
  {{- if eq .Values.kind "http" }}
  HOST: "0.0.0.0"
  PORT: {{ .Values.port | quote }}
  {{- else }}
  OPS_HOST: "0.0.0.0"
  OPS_PORT: {{ .Values.port | quote }}
  {{- end }}
  {{- with $url }}
  DATABASE_URL: {{ . | quote }}
  {{- end }}
  {{- if and .Values.vault.enabled .Values.vault.database.secretPath }}
  DATABASE_CREDENTIALS_FILE: {{ include "coffeebuddy.vaultDatabaseFile" . | quote }}
  {{- end }}
  {{- include "coffeebuddy.kafkaEnv" (dict "kafka" .Values.kafka "vault" .Values.vault "defaultUser" (printf "coffeebuddy-%s" .Chart.Name)) | nindent 2 }}
  {{- range $name, $value := .Values.env }}
  {{ $name }}: {{ $value | quote }}
  {{- end }}
{{- end }}
