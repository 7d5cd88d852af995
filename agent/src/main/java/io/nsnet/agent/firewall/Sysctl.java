package io.nsnet.agent.firewall;

import io.nsnet.agent.firewall.FirewallState.Network;
import java.util.ArrayList;
import java.util.List;

/**
 * A kernel setting the layout needs in the host namespace.
 *
 * @param key      dotted name as for {@code sysctl}, e.g. {@code net.ipv4.ip_forward}; a dot inside an
 *                 interface name is written '/', as {@code Sysctls} expects
 * @param value    value to write
 * @param optional true when the key may legitimately be absent (bridge-nf-call-iptables exists only once the
 *                 br_netfilter module is loaded); the daemon may skip it then
 */
public record Sysctl(String key, String value, boolean optional) {

    /**
     * What {@code state} needs, pure: {@code ip_forward=1} always (routing between bridges and out);
     * {@code bridge-nf-call-iptables=1} so bridged traffic is seen by the FORWARD rules (icc=false and isolation
     * depend on it); and without the userland proxy {@code route_localnet=1} on each non-internal bridge so
     * that DNAT of 127.0.0.1 traffic to a container is routable, as Docker does.
     */
    public static List<Sysctl> required(FirewallState state) {
        List<Sysctl> out = new ArrayList<>();
        out.add(new Sysctl("net.ipv4.ip_forward", "1", false));
        out.add(new Sysctl("net.bridge.bridge-nf-call-iptables", "1", true));
        if (!state.userlandProxy()) {
            for (Network n : state.networks()) {
                if (!n.internal()) {
                    out.add(new Sysctl(io.nsnet.sysctl.Sysctls.interfaceKey("ipv4", n.bridge(), "route_localnet"), "1", false));
                }
            }
        }
        return out;
    }
}
