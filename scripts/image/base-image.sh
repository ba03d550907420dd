#!/usr/bin/env bash
# Makes the Debian base image that scripts/image/build.sh builds on, with debootstrap, and imports
# it into podman's local storage: no image registry is reachable from here. Cached: does nothing
# when an image of this name carries the same stamp (this script's content, suite and mirror).
# Prints the image name. Needs root (debootstrap and chroot).
#
#   SUITE   Debian suite (default: this machine's, e.g. bookworm)
#   MIRROR  Debian mirror (default http://deb.debian.org/debian)
#   BASE    image name (default localhost/sealbox-base:$SUITE)
set -euo pipefail

suite=${SUITE:-$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")}
mirror=${MIRROR:-http://deb.debian.org/debian}
image=${BASE:-localhost/sealbox-base:$suite}
stamp=$( { cat "$0"; echo "$suite $mirror"; } | sha256sum | cut -c1-16)

existing=$(podman image inspect --format '{{index .Config.Labels "dev.sealbox.base-stamp"}}' "$image" 2>/dev/null || true)
if [ "$existing" = "$stamp" ]; then
  echo "$image"
  exit 0
fi

for tool in debootstrap podman; do
  command -v "$tool" >/dev/null || { echo "base-image: $tool is missing (bash scripts/test-deps.sh installs it)" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs

echo "base-image: debootstrap $suite from $mirror (a few minutes, once)" >&2
debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -20 "$work/debootstrap.log" >&2
  exit 1
}

# The same sources a debian:<suite>-slim image has, so that the image takes security updates.
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES

# As in Debian's slim images: later package installs leave out docs, man pages and locales, and
# apt keeps neither downloaded packages nor (after the build steps' own cleanup) package lists.
cat >"$root/etc/dpkg/dpkg.cfg.d/slim" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
DPKG
cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
echo 'Acquire::Languages "none";' >"$root/etc/apt/apt.conf.d/docker-no-languages"

# Security updates published after the suite's release; /proc is not needed for these packages.
chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
  sh -c 'apt-get update -qq && apt-get upgrade -y -qq' >"$work/upgrade.log" 2>&1 || {
  tail -20 "$work/upgrade.log" >&2
  exit 1
}

rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/cache/debconf/*-old \
  "$root"/var/log/* "$root"/tmp/* "$root"/var/tmp/* \
  "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* "$root"/usr/share/lintian/*
find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
# A machine-id must not be shared by every container of the image; the runtime provides the
# hostname and /dev (device nodes in the layer would also stop a rootless import).
: >"$root/etc/machine-id"
rm -rf "$root/etc/hostname" "$root"/dev/*

tar --numeric-owner -C "$root" -c . | podman import --quiet \
  --change "LABEL dev.sealbox.base-stamp=$stamp" \
  --change 'CMD ["/bin/bash"]' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  - "$image" >/dev/null
echo "$image"
