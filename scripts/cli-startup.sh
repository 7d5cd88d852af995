#!/usr/bin/env bash
# Times the CLI end to end: `bin/nsnet network ls` against a stub nsnetd (the real API server on a fake
# service, no root needed), N runs each, reporting wall median/min and CPU (user+sys) median in ms. A
# reference row (`nsnet --version`, JVM + picocli, no socket) is measured in the same run so the figures can
# be read as ratios on a loaded machine. Also checks the CLI loads no native code (no JNR/jffi/SQLite class).
# Needs: mvn -DskipTests package && mvn test-compile (for the stub), GNU time.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
N=${N:-20}
T=agent/target
[ -d "$T/test-classes" ] || { echo "run: mvn -q -pl agent -am test-compile" >&2; exit 1; }
# PRIO="chrt -r 10" (root: round-robin real-time priority for the stub and every measured run) takes other
# work on a shared machine out of the picture and so estimates the figure on an idle machine; the default
# measures as an ordinary process, load included. GNU time's resolution is 10 ms.
prio=${PRIO:-}
dir=$(mktemp -d)
sock="$dir/nsnetd.sock"
$prio java -cp "$T/test-classes:$T/classes:$T/lib/*" -Dslf4j.provider=org.slf4j.helpers.NOP_FallbackServiceProvider \
    io.nsnet.agent.api.StubDaemon "$sock" >"$dir/stub.log" 2>&1 &
stub=$!
trap 'kill $stub 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
export NSNET_SOCKET="$sock"

bin/nsnet network ls >/dev/null   # builds the CDS archive if the jars changed

# No native code on the CLI path: list every class a `network ls` loads.
NSNET_JAVA_OPTS="-Xlog:class+load:file=$dir/classes.txt" bin/nsnet network ls >/dev/null
if grep -Eq 'jnr\.|com\.kenai\.jffi|org\.sqlite|ch\.qos\.logback|io\.nsnet\.(netlink|rtnl|link|netns)' "$dir/classes.txt"; then
    echo "FAIL: the CLI loaded native-code or logging classes:" >&2
    grep -E 'jnr\.|jffi|sqlite|logback' "$dir/classes.txt" | head >&2
    exit 1
fi
echo "classes loaded by network ls: $(wc -l <"$dir/classes.txt") ($(grep -c 'shared objects file' "$dir/classes.txt") from CDS); none from JNR/jffi/SQLite/logback"

measure() { # label, env assignment or "", command...
    local label=$1 envset=$2; shift 2
    : >"$dir/t"
    for _ in $(seq "$N"); do
        env $envset $prio /usr/bin/time -a -o "$dir/t" -f "%e %U %S" "$@" >/dev/null 2>&1 || true
    done
    local wall cpu
    wall=$(awk '{print $1*1000}' "$dir/t" | sort -n | awk '{v[NR]=$1} END {printf "median %4d ms  min %4d ms", v[int((NR+1)/2)], v[1]}')
    cpu=$(awk '{print ($2+$3)*1000}' "$dir/t" | sort -n | awk '{v[NR]=$1} END {printf "%4d ms", v[int((NR+1)/2)]}')
    printf "%-34s wall %s   cpu median %s  (n=%d)\n" "$label" "$wall" "$cpu" "$(wc -l <"$dir/t")"
}
echo "priority: ${prio:-normal}; load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs, $(java -version 2>&1 | head -1)"
measure "java -version (JVM floor)" "" java -Xshare:auto -version
measure "nsnet --version (JVM+picocli)" "" bin/nsnet --version
measure "nsnet network ls (AppCDS)" "" bin/nsnet network ls
measure "nsnet network ls (no CDS)" "NSNET_CDS=0" bin/nsnet network ls
measure "nsnet network ls --json (AppCDS)" "" bin/nsnet network ls --json
measure "nsnet sandbox inspect web" "" bin/nsnet sandbox inspect web
