{{/* Names and labels shared by every object of the chart. */}}

{{- define "orleans-wallet.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "orleans-wallet.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "orleans-wallet.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "orleans-wallet.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selects the silo pods: the Deployment, Services, PDB and spread constraints all use this. */}}
{{- define "orleans-wallet.selectorLabels" -}}
app.kubernetes.io/name: {{ include "orleans-wallet.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: silo
{{- end -}}

{{- define "orleans-wallet.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "orleans-wallet.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "orleans-wallet.secretName" -}}
{{- default (printf "%s-secrets" (include "orleans-wallet.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{- define "orleans-wallet.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
