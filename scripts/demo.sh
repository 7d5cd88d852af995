#!/usr/bin/env bash
# The seed's experiment, for real, in throwaway namespaces (never the root namespace):
#   a "host" namespace runs nsnetd's networking, a "wan" namespace plays the Internet (203.0.113.0/24).
# Starts nsnetd, creates a user network, two sandboxes and a published port, pings out and across, and
# prints after each step the rules whose packet counters moved (like the seed's `iptables -vL`), then
# removes everything. Builds nsnet first if needed. Run as root.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
[ "$(id -u)" = 0 ] || { echo "run as root: the demo creates network namespaces" >&2; exit 1; }
scripts/install-deps.sh
[ -f agent/target/agent-0.1.0-SNAPSHOT.jar ] || mvn -B -q -DskipTests package

tag=$$
HOST=nst-demo-h$tag; WAN=nst-demo-w$tag; PFX=nst-demo$tag-
work=$(mktemp -d /tmp/nsnet-demo.XXXXXX)
SOCK=$work/nsnetd.sock
export NSNET_SOCKET=$SOCK
daemon_pid=
cleanup() {
  set +e
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
  bin/nsnetd --host-netns "$HOST" --socket "$SOCK" --state-dir "$work/state" --sandbox-prefix "$PFX" \
    --chain-prefix DOCKER --default-bridge docker0 --purge >>"$work/nsnetd.log" 2>&1
  ip netns delete "$HOST" 2>/dev/null; ip netns delete "$WAN" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
hx() { ip netns exec "$HOST" "$@"; }
# Rules whose counters moved since the last zeroing, as `iptables -vL` shows them; then zero again.
moved() {
  for t in filter nat; do
    hx iptables -t "$t" -vnL --line-numbers | awk -v t="$t" '
      /^Chain/ {chain=$0; printed=0; next}
      /^num/ {next}
      NF>0 && $2+0>0 { if (!printed) {print "  [" t "] " chain; printed=1} print "    " $0 }'
  done
  hx iptables -Z; hx iptables -t nat -Z
}

step "throwaway host ($HOST) and internet ($WAN) namespaces, joined by a veth"
ip netns add "$HOST"; ip netns add "$WAN"
ip -n "$HOST" link set lo up; ip -n "$WAN" link set lo up
ip -n "$HOST" link add uplink type veth peer name wan0 netns "$WAN"
ip -n "$HOST" addr add 203.0.113.2/24 dev uplink; ip -n "$HOST" link set uplink up
ip -n "$WAN" addr add 203.0.113.1/24 dev wan0; ip -n "$WAN" link set wan0 up
ip -n "$HOST" route add default via 203.0.113.1

step "start nsnetd (Docker's layout: chain prefix DOCKER, bridge docker0, 172.17.0.0/16)"
bin/nsnetd --host-netns "$HOST" --socket "$SOCK" --state-dir "$work/state" --sandbox-prefix "$PFX" \
  --chain-prefix DOCKER --default-bridge docker0 --default-subnet 172.17.0.0/16 >"$work/nsnetd.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 1 100); do bin/nsnet info >/dev/null 2>&1 && break; sleep 0.1; done
bin/nsnet info
hx iptables -S
hx iptables -Z; hx iptables -t nat -Z

step "nsnet network create mynet; sandbox c1 (default network), c2 (default network), web (mynet, -p 8080:80)"
bin/nsnet network create mynet
bin/nsnet sandbox create c1
bin/nsnet sandbox create c2
bin/nsnet sandbox create web --network mynet -p 8080:80
bin/nsnet network ls
bin/nsnet sandbox ls
moved

step "ping out: c1 -> 203.0.113.1 (the Internet)"
bin/nsnet exec c1 -- ping -c 3 -i 0.2 203.0.113.1 | tail -2
moved

step "ping across: c2 -> c1 on the same bridge"
c1ip=$(bin/nsnet sandbox inspect c1 --json | sed -n 's/.*"ip" *: *"\([0-9.]*\)\/.*/\1/p' | head -1)
bin/nsnet exec c2 -- ping -c 3 -i 0.2 "$c1ip" | tail -2
moved

step "isolation: c1 -> web on another network (must fail)"
webip=$(bin/nsnet sandbox inspect web --json | sed -n 's/.*"ip" *: *"\([0-9.]*\)\/.*/\1/p' | head -1)
if bin/nsnet exec c1 -- ping -c 2 -i 0.2 -W 1 "$webip" >/dev/null; then echo "UNEXPECTED: reached $webip"; else echo "c1 cannot reach web ($webip): isolated"; fi
moved

step "published port: the Internet connects to 203.0.113.2:8080 -> web:80"
ip netns exec "${PFX}web" timeout 5 sh -c 'echo hello-from-web | nc -N -l 80' >/dev/null &
srv=$!
sleep 0.5
printf 'wan got: '; ip netns exec "$WAN" timeout 3 nc -N 203.0.113.2 8080 </dev/null || echo "(no answer)"
kill $srv 2>/dev/null || true
moved

step "remove everything"
bin/nsnet sandbox rm c1 c2 web
bin/nsnet network rm mynet
hx iptables -S
echo; echo "demo done; nsnetd log: $(wc -l <"$work/nsnetd.log") lines"
