{{/* Everything a CoffeeBuddy service chart renders; its templates/all.yaml includes this. */}}
{{- define "coffeebuddy.all" -}}
{{- $parts := list "coffeebuddy.serviceaccount" "coffeebuddy.configmap" "coffeebuddy.deployment" "coffeebuddy.service" "coffeebuddy.pdb" "coffeebuddy.hpa" "coffeebuddy.servicemonitor" "coffeebuddy.networkpolicy" "coffeebuddy.ingress" "coffeebuddy.provisionJob" }}
{{- range $parts }}
{{- $out := include . $ | trim }}
{{- if $out }}
---
{{ $out }}
{{- end }}
{{- end }}
{{- end }}
