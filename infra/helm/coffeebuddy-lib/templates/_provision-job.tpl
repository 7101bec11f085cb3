{{/*
The provisioning Job (packages/provision: migrations, topics, optionally ACLs, schemas) as a
pre-install/pre-upgrade hook, enabled in one chart (slack-gateway's values). It runs before that
chart's Deployment changes and fails the release when a step fails. Hooks run before the chart's
other resources exist, so it has its own ServiceAccount and inline environment: the database and
the Kafka admin principal come from provision.existingSecret and/or provision.vault.
*/}}
{{- define "coffeebuddy.provisionJob" -}}
{{- if .Values.provision.enabled }}
{{- $p := .Values.provision }}
{{- $name := printf "%s-provision" (include "coffeebuddy.fullname" .) | trunc 63 | trimSuffix "-" }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ $name }}
  labels:
    {{- include "coffeebuddy.labels" . | nindent 4 }}
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-weight: "-5"
    helm.sh/hook-delete-policy: before-hook-creation
automountServiceAccountToken: false
---
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ $name }}
  labels:
    {{- include "coffeebuddy.labels" . | nindent 4 }}
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-weight: "0"
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  backoffLimit: {{ $p.backoffLimit }}
  activeDeadlineSeconds: {{ $p.activeDeadlineSeconds }}
  ttlSecondsAfterFinished: 86400
  template:
    metadata:
      labels:
        {{- include "coffeebuddy.selectorLabels" . | nindent 8 }}
        app.kubernetes.io/component: provision
      {{- if $p.vault.enabled }}
      annotations:
        {{- include "coffeebuddy.vaultAnnotations" (dict "vault" $p.vault) | trim | nindent 8 }}
        # A Job's pod must end: render the files once, no agent sidecar.
        vault.hashicorp.com/agent-pre-populate-only: "true"
      {{- end }}
    spec:
      restartPolicy: Never
      serviceAccountName: {{ $name }}
      automountServiceAccountToken: {{ $p.vault.enabled }}
      {{- include "coffeebuddy.podSecurity" . | nindent 6 }}
      containers:
        - name: provision
          image: {{ include "coffeebuddy.imageRef" (dict "image" $p.image "appVersion" .Chart.AppVersion) | quote }}
          imagePullPolicy: {{ $p.image.pullPolicy }}
          args: {{ prepend $p.steps "provision.js" | toJson }}
          securityContext:
            {{- toYaml .Values.securityContext | nindent 12 }}
          env:
            {{- $kafka := dict "brokers" .Values.kafka.brokers "schemaRegistryUrl" .Values.kafka.schemaRegistryUrl "environment" .Values.kafka.environment "ssl" .Values.kafka.ssl "sasl" (dict "mechanism" .Values.kafka.sasl.mechanism "username" $p.kafkaUsername) }}
            {{- $env := include "coffeebuddy.kafkaEnv" (dict "kafka" $kafka "vault" $p.vault "defaultUser" "coffeebuddy-provisioner") | fromYaml }}
            {{- if and $p.vault.enabled $p.vault.database.secretPath }}
            {{- $_ := set $env "DATABASE_CREDENTIALS_FILE" (include "coffeebuddy.vaultDatabaseFile" .) }}
            {{- end }}
            {{- with $p.databaseUrl }}
            {{- $_ := set $env "DATABASE_URL" . }}
            {{- end }}
            {{- range $key := keys $env | sortAlpha }}
            - name: {{ $key }}
              value: {{ get $env $key | quote }}
            {{- end }}
          {{- with $p.existingSecret }}
          envFrom:
            - secretRef:
                name: {{ . }}
          {{- end }}
          resources:
            {{- toYaml $p.resources | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- if and .Values.kafka.ssl.enabled .Values.kafka.ssl.caSecret }}
            - name: kafka-ca
              mountPath: {{ dir (include "coffeebuddy.kafkaCaFile" .) }}
              readOnly: true
            {{- end }}
      volumes:
        - name: tmp
          emptyDir: { sizeLimit: 64Mi }
        {{- if and .Values.kafka.ssl.enabled .Values.kafka.ssl.caSecret }}
        - name: kafka-ca
          secret:
            secretName: {{ .Values.kafka.ssl.caSecret }}
            items: [{ key: ca.crt, path: ca.crt }]
        {{- end }}
{{- end }}
{{- end }}
