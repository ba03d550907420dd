{{/* The chart's name, or nameOverride. */}}
{{- define "sealbox.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The name of the operator's objects: fullnameOverride, else the release name when it already holds
the chart's name, else "<release>-<chart>". Truncated to 63 characters for DNS labels.
*/}}
{{- define "sealbox.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "sealbox.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on the operator's objects. */}}
{{- define "sealbox.labels" -}}
{{ include "sealbox.selectorLabels" . }}
{{ include "sealbox.releaseLabels" . }}
{{- end }}

{{/*
Labels on every object of the release. The VaultCluster gets only these: the operator copies
nothing from them, but they must not make it look like one of the operator's pods.
*/}}
{{- define "sealbox.releaseLabels" -}}
helm.sh/chart: {{ include "sealbox.chart" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: sealbox
{{- end }}

{{/*
What the operator's Deployment and Service select. The "-operator" name keeps the operator's pods
apart from the server pods of a VaultCluster, which the operator labels app.kubernetes.io/name=sealbox
and app.kubernetes.io/instance=<VaultCluster name> (which may equal the release name).
*/}}
{{- define "sealbox.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sealbox.name" . }}-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "sealbox.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "sealbox.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "sealbox.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The namespace the operator watches, and where a namespaced Role is made. */}}
{{- define "sealbox.watchNamespace" -}}
{{- default .Release.Namespace .Values.operator.watchNamespace }}
{{- end }}
