{{- define "coffeebuddy.podSecurity" -}}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{- define "coffeebuddy.deployment" -}}
{{- $portName := include "coffeebuddy.portName" . }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "coffeebuddy.fullname" . }}
  labels:
    {{- include "coffeebuddy.labels" . | nindent 4 }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "coffeebuddy.selectorLabels" . | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate: { maxSurge: 1, maxUnavailable: 0 }
  template:
    metadata:
      annotations:
        # A changed ConfigMap rolls the pods.
        checksum/config: {{ include "coffeebuddy.configmap" . | sha256sum }}
        {{- if .Values.vault.enabled }}
        {{- include "coffeebuddy.vaultAnnotations" (dict "vault" .Values.vault) | trim | nindent 8 }}
        {{- end }}
        {{- with .Values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      labels:
        {{- include "coffeebuddy.labels" . | nindent 8 }}
        {{- with .Values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "coffeebuddy.serviceAccountName" . }}
      # The services never call the Kubernetes API.
      automountServiceAccountToken: {{ .Values.vault.enabled }}
      terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
      {{- include "coffeebuddy.podSecurity" . | nindent 6 }}
      containers:
        - name: {{ .Chart.Name }}
          image: {{ include "coffeebuddy.imageRef" (dict "image" .Values.image "appVersion" .Chart.AppVersion) | quote }}
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          securityContext:
            {{- toYaml .Values.securityContext | nindent 12 }}
          ports:
            - name: {{ $portName }}
              containerPort: {{ .Values.port }}
              protocol: TCP
          envFrom:
            - configMapRef:
                name: {{ include "coffeebuddy.fullname" . }}
            {{- with .Values.existingSecret }}
            - secretRef:
                name: {{ . }}
            {{- end }}
          startupProbe:
            httpGet: { path: /healthz, port: {{ $portName }} }
            {{- toYaml .Values.probes.startup | nindent 12 }}
          livenessProbe:
            httpGet: { path: /healthz, port: {{ $portName }} }
            {{- toYaml .Values.probes.liveness | nindent 12 }}
          readinessProbe:
            httpGet: { path: /readyz, port: {{ $portName }} }
            {{- toYaml .Values.probes.readiness | nindent 12 }}
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- if and .Values.kafka.ssl.enabled .Values.kafka.ssl.caSecret }}
            - name: kafka-ca
              mountPath: {{ dir (include "coffeebuddy.kafkaCaFile" .) }}
              readOnly: true
            {{- end }}
      volumes:
        # The root file system is read-only; Node and its libraries may still want a /tmp.
        - name: tmp
          emptyDir: { sizeLimit: 64Mi }
        {{- with .Values.kafka.ssl.caSecret }}
        {{- if $.Values.kafka.ssl.enabled }}
        - name: kafka-ca
          secret:
            secretName: {{ . }}
            items: [{ key: ca.crt, path: ca.crt }]
        {{- end }}
        {{- end }}
      {{- with .Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.topologySpreadConstraints }}
      topologySpreadConstraints:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end }}
