#!/usr/bin/env bash
# Installs the Debian packages deploykit's integration and system tests drive for real:
# dpkg-deb + lintian (.deb checks), ruby + unicorn + sidekiq + redis (restart strategies),
# wrk (load), git/tar/xz/bzip2/zstd (builds and archives), pigz + time (the bench baselines),
# make + cc + autoconf/automake/libtool (vendorRuntime source builds; autoreconf -fi for git exports),
# openssh-client/-server + mmdebstrap + iproute2 + util-linux (the SSH test hosts: see
# scripts/test-hosts.sh, which also fetches systemd-nspawn WITHOUT installing systemd-container),
# minisign (signature interop).
# Run as root (CI is root). Safe to run again.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(git tar gzip bzip2 xz-utils zstd curl ca-certificates dpkg-dev lintian fakeroot
  ruby ruby-rack unicorn ruby-sidekiq redis-server wrk make gcc libc6-dev procps time pigz
  autoconf automake libtool
  openssh-client openssh-server mmdebstrap iproute2 util-linux minisign)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
echo "system packages ready: ${packages[*]}"
