{{/* Names and labels (Kubernetes' recommended app.kubernetes.io labels). */}}

{{- define "coffeebuddy.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "coffeebuddy.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "coffeebuddy.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "coffeebuddy.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "coffeebuddy.selectorLabels" -}}
app.kubernetes.io/name: {{ include "coffeebuddy.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "coffeebuddy.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "coffeebuddy.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: {{ .Values.kind }}
app.kubernetes.io/part-of: coffeebuddy
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "coffeebuddy.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "coffeebuddy.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* repository@digest when a digest is given, else repository:tag (default: the chart's appVersion). */}}
{{- define "coffeebuddy.imageRef" -}}
{{- if .image.digest }}
{{- printf "%s@%s" .image.repository .image.digest }}
{{- else }}
{{- printf "%s:%s" .image.repository (default .appVersion .image.tag) }}
{{- end }}
{{- end }}

{{/* The port name of /healthz /readyz /metrics: the gateway's HTTP port, a worker's ops port. */}}
{{- define "coffeebuddy.portName" -}}
{{- if eq .Values.kind "http" }}http{{ else }}ops{{ end }}
{{- end }}

{{/* Where the Vault agent renders secrets, and the files the services read. */}}
{{- define "coffeebuddy.vaultDatabaseFile" -}}/vault/secrets/database{{- end }}
{{- define "coffeebuddy.vaultKafkaFile" -}}/vault/secrets/kafka-password{{- end }}
{{- define "coffeebuddy.kafkaCaFile" -}}/etc/coffeebuddy/kafka-ca/ca.crt{{- end }}

{{/*
Vault agent injector annotations (opt-in): the database credentials as the JSON file
DATABASE_CREDENTIALS_FILE reads (re-read on every new connection, so rotated dynamic credentials
are used without a restart), and optionally the Kafka SCRAM password for KAFKA_SASL_PASSWORD_FILE.
Call with (dict "vault" <vault values>).
*/}}
{{- define "coffeebuddy.vaultAnnotations" -}}
{{- $vault := .vault }}
vault.hashicorp.com/agent-inject: "true"
vault.hashicorp.com/role: {{ required "vault.role is required when vault.enabled" $vault.role | quote }}
{{- with $vault.database.secretPath }}
vault.hashicorp.com/agent-inject-secret-database: {{ . | quote }}
vault.hashicorp.com/agent-inject-template-database: |
  {{ printf "{{- with secret %q -}}" . }}
  {{ "{\"username\":\"{{ .Data.username }}\",\"password\":\"{{ .Data.password }}\"}" }}
  {{ "{{- end }}" }}
{{- end }}
{{- with $vault.kafka.secretPath }}
vault.hashicorp.com/agent-inject-secret-kafka-password: {{ . | quote }}
vault.hashicorp.com/agent-inject-template-kafka-password: |
  {{ printf "{{- with secret %q -}}{{ .Data.data.%s }}{{- end }}" . $vault.kafka.field }}
{{- end }}
{{- end }}

{{/* Environment the services read for Kafka (contracts' loadKafkaConfig). Call with (dict "kafka" .. "vault" .. "defaultUser" ..). */}}
{{- define "coffeebuddy.kafkaEnv" -}}
KAFKA_BROKERS: {{ required "kafka.brokers is required (host:port,host:port)" .kafka.brokers | quote }}
SCHEMA_REGISTRY_URL: {{ required "kafka.schemaRegistryUrl is required" .kafka.schemaRegistryUrl | quote }}
KAFKA_ENVIRONMENT: {{ .kafka.environment | quote }}
{{- if .kafka.sasl.mechanism }}
KAFKA_SASL_MECHANISM: {{ .kafka.sasl.mechanism | quote }}
KAFKA_SASL_USERNAME: {{ default .defaultUser .kafka.sasl.username | quote }}
{{- if .vault.enabled }}{{ if .vault.kafka.secretPath }}
KAFKA_SASL_PASSWORD_FILE: {{ include "coffeebuddy.vaultKafkaFile" . | quote }}
{{- end }}{{ end }}
{{- end }}
{{- if .kafka.ssl.enabled }}
KAFKA_SSL: "true"
{{- if .kafka.ssl.caSecret }}
KAFKA_SSL_CA_FILE: {{ include "coffeebuddy.kafkaCaFile" . | quote }}
{{- end }}
{{- end }}
{{- end }}
