#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager and kubectl from the Go module proxy at the
# Kubernetes version that go.mod pins, once per machine, and prints the directory that holds them.
#
# The binaries live outside the work tree (so fresh clones on the same machine reuse them) in
# ${SEALBOX_KUBE_CACHE:-$HOME/.cache/sealbox/kube}/<version>/. A stamp of go.mod, go.sum, this
# script and the Go version decides rebuilds; a lock makes parallel callers wait for one build.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

version=$(GOFLAGS=-mod=mod go list -m -f '{{.Version}}' k8s.io/kubernetes)
cache=${SEALBOX_KUBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sealbox/kube}
bin=$cache/$version
stamp="$version $(cat go.mod go.sum build.sh | sha256sum | cut -d' ' -f1) $(go env GOVERSION)"

mkdir -p "$cache"
exec 9>"$cache/build.lock"
flock 9

if [ "$(cat "$bin/stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "$bin"
  exit 0
fi

echo "cluster build: building Kubernetes $version (kube-apiserver, kube-controller-manager, kubectl) into $bin; the first build takes many minutes" >&2
started=$(date +%s)
tmp=$(mktemp -d "$cache/.build-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Without these the binaries report v0.0.0-master, and kubectl warns about version skew.
minor=$(echo "$version" | cut -d. -f2)
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags="$ldflags -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
done
GOFLAGS="-mod=mod ${GOFLAGS:-}" go build -trimpath -ldflags="$ldflags" -o "$tmp/" \
  k8s.io/kubernetes/cmd/kube-apiserver \
  k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kubectl
chmod 755 "$tmp"
echo "$stamp" >"$tmp/stamp"
rm -rf "$bin"
mv "$tmp" "$bin"
trap - EXIT
echo "cluster build: built in $(($(date +%s) - started)) s" >&2
echo "$bin"
