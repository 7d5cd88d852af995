#!/usr/bin/env bash
# nsnet against dockerd 20.10, the CNI bridge plugin (+ portmap), netavark and the ip/iptables-restore floor,
# in one run (io.nsnet.peerbench.PeerBench). Installs the peers from Debian packages if missing, builds nsnet if
# needed, and writes bench/results/RESULTS.md, one CSV and one PNG per operation. Everything runs inside
# throwaway namespaces nst-pb<tag>-… (dockerd too), removed at the end even on failure. Run as root.
#   scripts/bench.sh            full run (~9 min on 2 cores)
#   scripts/bench.sh --quick    smoke run of every path (~2 min), into bench/results-quick
# Extra: --daemon-jvm-opts "…" replaces nsnetd's JVM flags (e.g. add -XX:StartFlightRecording=filename=/tmp/d.jfr).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
[ "$(id -u)" = 0 ] || { echo "run as root: the benchmark creates network namespaces" >&2; exit 1; }

missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
[ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/portmap ] && [ -x /usr/lib/cni/host-local ] || missing+=(containernetworking-plugins)
[ -x /usr/lib/podman/netavark ] || missing+=(netavark)
command -v iptables-restore >/dev/null || missing+=(iptables)
command -v nsenter >/dev/null || missing+=(util-linux)
if [ ${#missing[@]} -gt 0 ]; then
  # Installing docker.io must not start a dockerd in the root namespace: policy-rc.d 101 forbids service starts.
  created_policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; created_policy=1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
  [ -n "$created_policy" ] && rm -f /usr/sbin/policy-rc.d
fi

if [ ! -f agent/target/agent-0.1.0-SNAPSHOT.jar ] || [ ! -f integration-tests/target/lib/xchart-3.8.8.jar ] \
   || [ -n "$(find agent/src integration-tests/src native-bindings/src -newer integration-tests/target/lib/xchart-3.8.8.jar -name '*.java' 2>/dev/null | head -1)" ]; then
  mvn -B -q -DskipTests package
fi

# Belt and braces beside PeerBench's own cleanup: whatever happens, no namespace of this run survives.
# dockerd 20.10 always creates /run/docker/plugins (a hard-coded discovery directory): remove it if it was not there.
tag_file=$(mktemp)
had_run_docker=; [ -e /run/docker ] && had_run_docker=1
cleanup() {
  [ -z "$had_run_docker" ] && rm -rf /run/docker
  local pid; pid=$(cat "$tag_file" 2>/dev/null || true)
  if [ -n "$pid" ]; then
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^nst-pb$(printf '%x' "$pid")-" || true); do
      ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
      ip netns delete "$ns" 2>/dev/null || true
    done
  fi
  rm -f "$tag_file"
}
trap cleanup EXIT

java --enable-native-access=ALL-UNNAMED -Djava.awt.headless=true -Xmx512m \
  -cp "integration-tests/target/classes:integration-tests/target/lib/*" io.nsnet.peerbench.PeerBench "$@" &
echo $! >"$tag_file"
wait $!
