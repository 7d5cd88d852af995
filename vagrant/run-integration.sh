#!/usr/bin/env bash
# From the host: runs the integration suite inside the VM against the systemd-managed nsnetd
# (the suite's "existing daemon" mode: it drives /run/nsnet/nsnetd.sock in the VM's root namespace).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"
vagrant ssh -c "cd /opt/nsnet && sudo mvn -B -pl integration-tests -am verify -Dnsnet.it.daemon=existing -Dnsnet.it.socket=/run/nsnet/nsnetd.sock -Dsurefire.failIfNoSpecifiedTests=false"
