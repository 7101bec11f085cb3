{{- define "coffeebuddy.pdb" -}}
{{- if .Values.pdb.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "coffeebuddy.fullname" . }}
  labels:
    {{- include "coffeebuddy.labels" . | nindent 4 }}
spec:
  maxUnavailable: {{ .Values.pdb.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "coffeebuddy.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end }}

{{- define "coffeebuddy.hpa" -}}
{{- if .Values.autoscaling.enabled }}
{{- if gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas) }}
{{- fail "autoscaling.minReplicas must not exceed autoscaling.maxReplicas" }}
{{- end }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "coffeebuddy.fullname" . }}
  labels:
    {{- include "coffeebuddy.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "coffeebuddy.fullname" . }}
  minReplicas: {{ .Values.autoscaling.minReplicas }}
  maxReplicas: {{ .Values.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .Values.autoscaling.targetCPUUtilizationPercentage }}
{{- end }}
{{- end }}

{{/* Only where the Prometheus Operator's CRD is installed (helm template: --api-versions monitoring.coreos.com/v1/ServiceMonitor). */}}
{{- define "coffeebuddy.servicemonitor" -}}
{{- if and .Values.serviceMonitor.enabled (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1/ServiceMonitor") }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "coffeebuddy.fullname" . }}
  labels:
    {{- include "coffeebuddy.labels" . | nindent 4 }}
    {{- with .Values.serviceMonitor.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "coffeebuddy.selectorLabels" . | nindent 6 }}
  endpoints:
    - port: {{ include "coffeebuddy.portName" . }}
      path: /metrics
      interval: {{ .Values.serviceMonitor.interval }}
{{- end }}
{{- end }}

{{/*
Ingress: the service port from networkPolicy.ingressFrom (the gateway's default: anywhere, it is
Slack's endpoint; a worker's: nobody but the peers listed, e.g. Prometheus). Egress: DNS, and the
ports of Kafka, PostgreSQL, the registry and Slack's HTTPS (networkPolicy.egressPorts).
*/}}
{{- define "coffeebuddy.networkpolicy" -}}
{{- if .Values.networkPolicy.enabled }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "coffeebuddy.fullname" . }}
  labels:
    {{- include "coffeebuddy.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "coffeebuddy.selectorLabels" . | nindent 6 }}
  policyTypes: [Ingress, Egress]
  {{- if or .Values.networkPolicy.ingressFrom (eq .Values.kind "http") }}
  ingress:
    - ports:
        - port: {{ include "coffeebuddy.portName" . }}
          protocol: TCP
      {{- with .Values.networkPolicy.ingressFrom }}
      from:
        {{- toYaml . | nindent 8 }}
      {{- end }}
  {{- else }}
  ingress: []
  {{- end }}
  egress:
    - ports:
        - { port: 53, protocol: UDP }
        - { port: 53, protocol: TCP }
    - ports:
        {{- range .Values.networkPolicy.egressPorts }}
        - { port: {{ . }}, protocol: TCP }
        {{- end }}
{{- end }}
{{- end }}
