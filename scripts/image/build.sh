#!/usr/bin/env bash
# Builds the Sealbox image with podman from the Dockerfile, on the local Debian base that
# scripts/image/base-image.sh makes (no image registry is reachable here), and tags it
# localhost/sealbox:<package.json version>. podman's layer cache makes a rebuild with unchanged
# dependencies take seconds. Prints the image name on its last line.
#
#   BASE      base image (default: the one base-image.sh makes; e.g. debian:bookworm-slim elsewhere)
#   IMAGE     image name (default localhost/sealbox:<version>)
#   Extra arguments go to podman build (e.g. --no-cache).
set -euo pipefail
cd "$(dirname "$0")/../.."

version=$(node -p 'require("./package.json").version' 2>/dev/null || sed -n 's/^  "version": "\(.*\)",$/\1/p' package.json)
# The Node the image runs is the one the project pins and tests with (the `node` devDependency).
node_version=$(sed -n '/"node_modules\/node": {/,/}/s/^ *"version": "\(.*\)",$/\1/p' package-lock.json)
base=${BASE:-$(bash scripts/image/base-image.sh)}
image=${IMAGE:-localhost/sealbox:$version}
# Without any user:password@ a remote URL may carry: labels are public.
source_url=$(git config --get remote.origin.url 2>/dev/null | sed 's#://[^/@]*@#://#' || true)

args=(--build-arg "BASE=$base" --build-arg "VERSION=$version" --build-arg "NODE_VERSION=${node_version:-24.21.0}")
# A clone of a local directory has a path as its remote: no source to name.
case "$source_url" in *://*) ;; *) source_url= ;; esac
if [ -n "$source_url" ]; then args+=(--label "org.opencontainers.image.source=$source_url"); fi
# npm in the build trusts what this machine trusts (a TLS-intercepting proxy's CA, say). A build
# secret, not a build arg or a COPY: it is mounted for the npm steps only, and no layer keeps it.
ca_bundle=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
if [ -s "$ca_bundle" ]; then args+=(--secret "id=ca-bundle,src=$ca_bundle"); fi

# Host networking for the build steps' apt-get and npm: it needs no container network set-up.
podman build --network host --layers "${args[@]}" --tag "$image" "$@" . >&2
echo "$image"
