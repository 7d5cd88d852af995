package io.nsnet.agent.api;

import java.util.List;

/** A sandbox as the API shows it; {@code netns} is the named namespace, usable with {@code ip netns exec}. */
public record SandboxView(String name, String id, String netns, List<EndpointView> endpoints, List<String> ports,
        String created) {

    /** One attachment: interface inside, host veth, address with prefix, MAC and the network's gateway. */
    public record EndpointView(String network, String ifname, String hostVeth, String ip, String mac,
            String gateway) {
    }
}
