#!/usr/bin/env bash
# Fails if tests left namespaces behind or touched the root namespace's firewall or links.
set -euo pipefail
left=$(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^(nst-|nsnet)' || true)
if [ -n "$left" ]; then echo "namespaces left behind: $left" >&2; exit 1; fi
links=$(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E '^(nsnet|nsn-|nstbr|veth|docker0)' || true)
if [ -n "$links" ]; then echo "links left in the root namespace: $links" >&2; exit 1; fi
for save in iptables-nft-save iptables-legacy-save; do
  if command -v "$save" >/dev/null 2>&1 && "$save" 2>/dev/null | grep -qE '^-A .*(NSNET|DOCKER)'; then
    echo "nsnet rules found in the root namespace ($save)" >&2; exit 1
  fi
done
echo "root namespace clean: no nst-* namespaces, no nsnet links or rules"
