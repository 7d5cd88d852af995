package io.nsnet.it;

import java.util.List;

/**
 * What a scenario compares "before" and "after": the host namespace's links, addresses and routes (iproute2's
 * view), the namespaces of this scenario's sandboxes, and the firewall without counters. Addresses are compared
 * without the link's operstate: a bridge is UNKNOWN before its first port and UP after its last one left, the
 * kernel's carrier logic rather than anything nsnet sets.
 */
record HostSnapshot(List<String> links, List<String> addresses, List<String> routes, List<String> sandboxNamespaces,
        List<String> ruleset) {

    /** {@code ip -o -4 addr}'s "3: docker0    inet 172.17.0.1/16 brd ..." as "docker0 172.17.0.1/16". */
    private static String address(String ipOneLine) {
        String[] f = ipOneLine.trim().split("\\s+");
        return f[1] + " " + f[3];
    }

    static HostSnapshot of(Lab lab) {
        Netns h = lab.host();
        return new HostSnapshot(h.links(),
                h.ip("-o", "-4", "addr").check().out().lines().map(HostSnapshot::address).sorted().toList(),
                h.ip("-4", "route").check().out().lines().map(l -> l.replace(" linkdown", "").strip()).sorted().toList(),
                Netns.named(lab.sandboxPrefix()), lab.firewall().save());
    }
}
