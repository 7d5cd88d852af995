#!/usr/bin/env bash
# Installs the Debian packages nsnet needs to build, run and test, only those missing (idempotent).
# iproute2 is the tests' independent observer; iptables gives both the nft and legacy variants;
# libip4tc2 is libiptc for the in-process legacy backend; libnftables1/nftables for nft hosts.
set -euo pipefail
pkgs=(iproute2 iptables libip4tc2 libnftables1 nftables iputils-ping netcat-openbsd procps ca-certificates)
command -v mvn >/dev/null 2>&1 || pkgs+=(maven)
command -v javac >/dev/null 2>&1 || pkgs+=(openjdk-17-jdk-headless)
[ "${NSNET_CI_TOOLS:-0}" = 1 ] && pkgs+=(systemd)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
