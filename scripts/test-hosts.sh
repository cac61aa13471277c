#!/usr/bin/env bash
# Tools for the SSH test hosts (test-support/ssh-hosts): prints a path on stdout, builds it once.
#
#   scripts/test-hosts.sh nspawn     systemd-nspawn matching this machine's systemd, extracted
#                                    from `apt-get download systemd-container=<exact version>`
#                                    with `dpkg-deb -x`. Never install that package with apt here:
#                                    its install script cleans this machine's /tmp (tmpfiles --boot).
#   scripts/test-hosts.sh template   a minimal Debian root filesystem (mmdebstrap, minbase) with
#                                    systemd, sshd, sudo, curl and a `deploy` user; no node/ruby/python.
#   scripts/test-hosts.sh template apps
#                                    the same plus the app runtimes of the restart strategies'
#                                    load tests: ruby, unicorn, sidekiq (ruby-sidekiq),
#                                    redis-server and nodejs, all from the Debian archive.
#
# Both are cached under $DEPLOYKIT_TEST_HOSTS_CACHE (default /var/cache/deploykit-test-hosts),
# keyed by the exact systemd version and by a hash of the template recipe, and built under a
# flock so parallel test files build each thing once. Needs root and scripts/system-deps.sh.
set -euo pipefail
cache="${DEPLOYKIT_TEST_HOSTS_CACHE:-/var/cache/deploykit-test-hosts}"
mkdir -p "$cache"

nspawn() {
  local version dir tmp
  version="$(dpkg-query -W -f='${Version}' systemd)"
  dir="$cache/systemd-container-${version//[^A-Za-z0-9.+-]/_}"
  if [ ! -x "$dir/usr/bin/systemd-nspawn" ]; then
    tmp="$(mktemp -d "$cache/.nspawn.XXXXXX")"
    (cd "$tmp" && apt-get download -q "systemd-container=$version" >&2) || {
      echo "systemd-container=$version (the installed systemd's exact version) is not downloadable;" \
        "run apt-get update, or install a systemd version the archive still carries" >&2
      rm -rf "$tmp"
      exit 1
    }
    dpkg-deb -x "$tmp"/systemd-container_*.deb "$tmp/root"
    rm -rf "$dir"
    mv "$tmp/root" "$dir"
    rm -rf "$tmp"
  fi
  echo "$dir/usr/bin/systemd-nspawn"
}

# Everything that shapes the template; its hash names the cached directory.
suite=bookworm
include=openssh-server,systemd,systemd-sysv,dbus,procps,sudo,curl
# The "apps" recipe: what the unicorn / sidekiq / node strategies run on a host.
apps_include=ruby,unicorn,ruby-sidekiq,redis-server,nodejs
read -r -d '' customize <<'HOOK' || true
root="$1"
rm -f "$root"/etc/ssh/ssh_host_*
for unit in console-getty.service getty@.service apt-daily.timer apt-daily-upgrade.timer \
  dpkg-db-backup.timer fstrim.timer e2scrub_all.timer e2scrub_reap.service \
  systemd-timesyncd.service; do
  ln -sf /dev/null "$root/etc/systemd/system/$unit"
done
chroot "$root" useradd --create-home --shell /bin/sh deploy
echo 'deploy ALL=(ALL) NOPASSWD:ALL' > "$root/etc/sudoers.d/deploy"
chmod 0440 "$root/etc/sudoers.d/deploy"
: > "$root/etc/machine-id"
HOOK

template() {
  local sources hash dir tmp packages="$include"
  if [ "${1:-}" = apps ]; then packages="$include,$apps_include"; fi
  hash="$(printf '%s\n' "$suite" "$packages" "$customize" | sha256sum | cut -c1-16)"
  dir="$cache/template-$hash"
  if [ ! -f "$dir/.complete" ]; then
    exec 9>"$cache/.template.lock"
    flock 9
    if [ ! -f "$dir/.complete" ]; then
      sources=/etc/apt/sources.list.d/debian.sources
      [ -f "$sources" ] || sources=/etc/apt/sources.list
      tmp="$cache/.template-$hash.$$"
      rm -rf "$tmp"
      mmdebstrap --mode=root --variant=minbase --include="$packages" \
        --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
        --dpkgopt='path-exclude=/usr/share/locale/*' \
        --customize-hook="$customize" \
        "$suite" "$tmp" "$sources" >&2
      touch "$tmp/.complete"
      rm -rf "$dir"
      mv "$tmp" "$dir"
    fi
  fi
  echo "$dir"
}

case "${1:-}" in
  nspawn) nspawn ;;
  template) template "${2:-}" ;;
  *) echo "usage: $0 nspawn|template [apps]" >&2; exit 2 ;;
esac
