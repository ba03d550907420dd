#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine. Idempotent and quiet when
# everything is present. Add one section per dependency: a check, then an install.
set -euo pipefail

apt_updated=false

# Runs apt-get update at most once per invocation, only when something must be installed.
apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "test-deps: need root to install: $* (run: sudo apt-get install -y $*)" >&2
    exit 1
  fi
  if [ "$apt_updated" = false ]; then
    apt-get update -qq >/dev/null
    apt_updated=true
  fi
  echo "test-deps: installing $*" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# --- etcd: a real server for the etcd storage tests (test/helpers/etcd.ts) -----------------------
if ! command -v etcd >/dev/null 2>&1; then
  apt_install etcd-server etcd-client
fi

# --- unshare: the file storage ENOSPC test mounts a tiny tmpfs in a private mount namespace -----
if ! command -v unshare >/dev/null 2>&1; then
  apt_install util-linux
fi

# --- hvac: the Python client runs against real servers (test/clients/hvac.test.ts) ---------------
venv=.cache/venv
if ! "$venv/bin/python" -c 'import hvac' >/dev/null 2>&1; then
  if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    apt_install python3-venv
  fi
  echo "test-deps: installing hvac into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check 'hvac==2.4.0'
fi

# --- openssl: the etcd TLS tests make a throwaway CA and certificates -----------------------------
if ! command -v openssl >/dev/null 2>&1; then
  apt_install openssl
fi

# --- Go vault/api client: HashiCorp's own client (test/clients/go-vault-api.test.ts) -----------
# Go's build and module caches make this a no-op after the first run.
(cd test/clients/go-vault-api && go build -o ../../../.cache/bin/go-vault-api .)

# --- Go client for key operations: vault/api plus the CLI's root token decoder (test/clients/ops-go-vault-api.test.ts)
(cd test/clients/go-vault-ops && go build -o ../../../.cache/bin/go-vault-ops .)

# --- Metrics: promtool (Debian's prometheus package) checks the exposition, and Prometheus' Python
# client parses it (test/helpers/prometheus-text.ts). Without recommends: no node exporter.
if ! command -v promtool >/dev/null 2>&1; then
  apt_install --no-install-recommends prometheus
fi
if ! "$venv/bin/python" -c 'import prometheus_client' >/dev/null 2>&1; then
  echo "test-deps: installing prometheus-client into $venv" >&2
  "$venv/bin/pip" install -q --disable-pip-version-check 'prometheus-client==0.26.0'
fi

# --- Kubernetes test cluster (test/cluster/, README "Kubernetes test cluster"): busybox stands in
# for small container images; kube-apiserver, kube-controller-manager and kubectl are built from the
# Go module proxy once per machine into ~/.cache/sealbox/kube/<version>/ (the first build takes
# tens of minutes on two cores; later runs only check the version stamp).
if ! command -v busybox >/dev/null 2>&1; then
  apt_install busybox
fi
if ! command -v nsenter >/dev/null 2>&1 || ! command -v setpriv >/dev/null 2>&1; then
  apt_install util-linux
fi
bash test/cluster/build.sh >/dev/null

# --- helm: the chart's tests (test/packaging/) lint, render and install charts/sealbox with a real
# helm, built from the Go module proxy at the version test/tools/helm/go.mod pins (about two
# minutes the first time; the Go build cache makes later runs a quick check).
bash test/tools/helm/build.sh

# --- Container image (scripts/image/, test/packaging/image.test.ts): podman builds and runs the
# image, debootstrap makes its base locally since no image registry is reachable. Debian's podman
# 4.3 runs containers here only with runc and lowered ulimits (crun and the default nofile fail).
if ! command -v podman >/dev/null 2>&1 || ! command -v runc >/dev/null 2>&1 || ! command -v debootstrap >/dev/null 2>&1; then
  apt_install podman runc debootstrap
fi
if [ ! -s /etc/containers/containers.conf ] && [ "$(id -u)" -eq 0 ]; then
  mkdir -p /etc/containers
  cat >/etc/containers/containers.conf <<'CONF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]

[engine]
runtime = "runc"
CONF
fi

# --- Chromium: the web UI's end-to-end test (test/e2e/ui.test.ts) and `npm run ui:screenshots`
# drive Debian's chromium headless through playwright-core, which downloads no browser of its own.
# Without recommends: no fonts or desktop extras beyond what headless rendering needs.
if [ ! -x /usr/bin/chromium ]; then
  apt_install --no-install-recommends chromium
fi
