{{- define "coffeebuddy.service" -}}
{{- $portName := include "coffeebuddy.portName" . }}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "coffeebuddy.fullname" . }}
  labels:
    {{- include "coffeebuddy.labels" . | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "coffeebuddy.selectorLabels" . | nindent 4 }}
  ports:
    - name: {{ $portName }}
      port: {{ if eq .Values.kind "http" }}80{{ else }}{{ .Values.port }}{{ end }}
      targetPort: {{ $portName }}
      protocol: TCP
{{- end }}

{{- define "coffeebuddy.serviceaccount" -}}
{{- if .Values.serviceAccount.create }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "coffeebuddy.serviceAccountName" . }}
  labels:
    {{- include "coffeebuddy.labels" . | nindent 4 }}
  {{- with .Values.serviceAccount.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
automountServiceAccountToken: false
{{- end }}
{{- end }}

{{- define "coffeebuddy.ingress" -}}
{{- if .Values.ingress.enabled }}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ include "coffeebuddy.fullname" . }}
  labels:
    {{- include "coffeebuddy.labels" . | nindent 4 }}
  {{- with .Values.ingress.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  {{- with .Values.ingress.className }}
  ingressClassName: {{ . }}
  {{- end }}
  {{- with .Values.ingress.tlsSecretName }}
  tls:
    - hosts: [{{ required "ingress.host is required" $.Values.ingress.host | quote }}]
      secretName: {{ . }}
  {{- end }}
  rules:
    - host: {{ required "ingress.host is required when ingress.enabled" .Values.ingress.host | quote }}
      http:
        paths:
          # Slack's requests and the OAuth install flow; /metrics and the probes stay in the cluster.
          - path: /slack
            pathType: Prefix
            backend:
              service:
                name: {{ include "coffeebuddy.fullname" . }}
                port: { name: {{ include "coffeebuddy.portName" . }} }
{{- end }}
{{- end }}
