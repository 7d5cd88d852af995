#!/usr/bin/env bash
# Runs inside the VM as root: JDK, Maven, iptables; build; install and start nsnetd.service.
set -euo pipefail
cd /opt/nsnet
NSNET_CI_TOOLS=1 scripts/install-deps.sh
mvn -B -q -DskipTests package
vagrant/install-service.sh --prefix /opt/nsnet
systemctl daemon-reload
systemctl enable --now nsnetd.service
systemctl --no-pager status nsnetd.service
/opt/nsnet/bin/nsnet info
