#!/usr/bin/env bash
# Readies what `herald listen --desktop`'s test (DesktopNoticesIT) runs: an X server (Xvfb), a D-Bus session bus
# (dbus-run-session, dbus-monitor, dbus-send) and a notification daemon (dunst), all from Debian's packages.
# As root with apt-get they are installed when missing (as clients/js/test-tools.sh does for Chromium); otherwise
# one line says which command to run. Exit status 0 when everything is there.
set -euo pipefail
TOOLS=(Xvfb dbus-run-session dbus-monitor dbus-send dunst)
PACKAGES="dbus dbus-bin xvfb dunst"
missing() { for t in "${TOOLS[@]}"; do command -v "$t" >/dev/null || echo "$t"; done; }
[ -z "$(missing)" ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "desktop-tools: installing $PACKAGES (apt-get install -y --no-install-recommends)" >&2
  install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $PACKAGES >/dev/null; }
  install || { apt-get update -q >/dev/null && install; } || true
fi
left=$(missing | tr '\n' ' ')
if [ -n "$left" ]; then
  echo "desktop-tools: missing $left: run 'sudo apt-get install -y --no-install-recommends $PACKAGES'" >&2
  exit 1
fi
