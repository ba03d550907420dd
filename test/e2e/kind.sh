#!/usr/bin/env bash
# Runs the end-to-end scenarios (test/e2e/*.test.ts) on a kind cluster made from kind-config.yaml,
# instead of the local test cluster that `npm test` uses.
#
#   test/e2e/kind.sh [--require] [ava arguments...]
#
# Needs kind and a working Docker engine. Without them it prints that the scenarios did NOT run
# and exits 0, so machines without Docker (like the project's CI) are not failed by it; with
# --require (or SEALBOX_E2E_REQUIRE_KIND=1) it exits 1 instead. It never prints a pass it did not
# earn: the only "passed" line comes from ava after the scenarios ran on kind.
#
# KIND_NODE_IMAGE picks the node image (kind's default otherwise); KUBECTL a kubectl binary
# (otherwise the one on PATH, else the pinned one that test/cluster/build.sh builds).
set -euo pipefail
cd "$(dirname "$0")/../.."

require=false
if [ "${1:-}" = --require ]; then
  require=true
  shift
fi
if [ "${SEALBOX_E2E_REQUIRE_KIND:-}" = 1 ]; then require=true; fi

missing=()
command -v kind >/dev/null 2>&1 || missing+=("kind")
if ! command -v docker >/dev/null 2>&1; then
  missing+=("docker")
elif ! docker info >/dev/null 2>&1; then
  missing+=("a running Docker engine")
fi
if [ ${#missing[@]} -gt 0 ]; then
  what=${missing[0]}
  for item in "${missing[@]:1}"; do what="$what, $item"; done
  echo "kind e2e: NOT RUN: missing $what. No scenario ran on kind; this is not a pass." >&2
  if [ "$require" = true ]; then
    echo "kind e2e: failing because --require was given." >&2
    exit 1
  fi
  exit 0
fi

kubectl=${KUBECTL:-$(command -v kubectl || true)}
if [ -z "$kubectl" ]; then kubectl="$(bash test/cluster/build.sh)/kubectl"; fi

name="sealbox-e2e-$$"
kubeconfig=$(mktemp)
cleanup() {
  kind delete cluster --name "$name" >/dev/null 2>&1 || true
  rm -f "$kubeconfig"
}
trap cleanup EXIT
image_args=()
if [ -n "${KIND_NODE_IMAGE:-}" ]; then image_args=(--image "$KIND_NODE_IMAGE"); fi
kind create cluster --name "$name" --config kind-config.yaml --kubeconfig "$kubeconfig" --wait 180s "${image_args[@]}"

SEALBOX_E2E_KUBECONFIG=$kubeconfig SEALBOX_E2E_KUBECTL=$kubectl npx ava 'test/e2e/**/*.test.ts' "$@"
