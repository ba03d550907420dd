#!/usr/bin/env bash
# Builds helm from the Go module proxy at the version go.mod pins, into .cache/bin/helm, with the
# version stamps helm's own Makefile sets: without them `helm version` says v3.0.0-ish and
# `helm template` assumes Kubernetes v1.20. Go's build cache makes later runs a quick relink check.
set -euo pipefail
cd "$(dirname "$0")"
export GOFLAGS="-mod=mod ${GOFLAGS:-}"
helm_version=$(go list -m -f '{{.Version}}' helm.sh/helm/v3)
client_go=$(go list -m -f '{{.Version}}' k8s.io/client-go) # v0.<minor>.<patch>
k8s_minor=$(echo "$client_go" | cut -d. -f2)
ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$helm_version"
for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
  ldflags="$ldflags -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$k8s_minor"
done
go build -trimpath -ldflags="$ldflags" -o ../../../.cache/bin/helm helm.sh/helm/v3/cmd/helm
