#!/usr/bin/env bash
# Runs every test: unit tests (no root) and kernel/integration tests (root; they only ever work inside
# throwaway network namespaces named nst-*, never in the host's root namespace). Installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "run as root: kernel tests create network namespaces" >&2; exit 1; }
scripts/install-deps.sh
mvn -B verify "$@"
scripts/check-clean.sh
