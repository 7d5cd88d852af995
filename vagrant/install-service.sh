#!/usr/bin/env bash
# Renders nsnetd.service for an nsnet tree at PREFIX (default: this checkout) into DEST (default
# /etc/systemd/system). With --verify-only it renders into a temporary folder and runs
# `systemd-analyze verify`, failing on any warning (systemd only warns, rc 0, on unknown keys).
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
prefix=$(cd "$here/.." && pwd)
dest=/etc/systemd/system
verify=0
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=$2; shift 2 ;;
    --dest) dest=$2; shift 2 ;;
    --verify-only) verify=1; shift ;;
    *) echo "usage: $0 [--prefix DIR] [--dest DIR] [--verify-only]" >&2; exit 2 ;;
  esac
done
if [ "$verify" = 1 ]; then dest=$(mktemp -d); fi
sed "s|@PREFIX@|$prefix|g" "$here/nsnetd.service.in" > "$dest/nsnetd.service"
if [ "$verify" = 1 ]; then
  out=$(systemd-analyze verify "$dest/nsnetd.service" 2>&1) || { echo "$out" >&2; exit 1; }
  if [ -n "$out" ]; then echo "systemd-analyze verify warned:" >&2; echo "$out" >&2; exit 1; fi
  echo "nsnetd.service verified (systemd-analyze verify: no warnings)"
  rm -rf "$dest"
fi
