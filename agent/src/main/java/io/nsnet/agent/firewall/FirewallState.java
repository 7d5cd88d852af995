package io.nsnet.agent.firewall;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the firewall needs to know, independent of the daemon's own domain model. Lists are ordered by
 * creation time (oldest first): that order decides rule order, exactly as it does for Docker.
 *
 * @param chainPrefix   prefix {@code P} of nsnet's chains (default {@code NSNET})
 * @param userlandProxy true for the seed's default layout (a proxy serves 127.0.0.1 and hairpin traffic), false for
 *                      the layout that does it all with DNAT ({@code route_localnet}, hairpin MASQUERADE)
 * @param networks      bridge networks, the default bridge included, oldest first
 * @param endpoints     attached endpoints that matter to the firewall (those with published ports), oldest first
 */
public record FirewallState(String chainPrefix, boolean userlandProxy, List<Network> networks, List<Endpoint> endpoints) {

    public FirewallState {
        new ChainNames(chainPrefix);
        networks = List.copyOf(networks);
        endpoints = List.copyOf(endpoints);
        Map<String, Network> byBridge = new HashMap<>();
        for (Network n : networks) {
            if (byBridge.put(n.bridge(), n) != null) {
                throw new IllegalArgumentException("bridge " + n.bridge() + " is listed twice");
            }
        }
        // Each endpoint's network's subnet parsed once per network, not once per endpoint.
        Map<String, Ipv4Prefix> prefixes = new HashMap<>();
        for (Endpoint e : endpoints) {
            Network n = byBridge.get(e.bridge());
            if (n == null) {
                throw new IllegalArgumentException("endpoint " + e.ip() + " is on bridge " + e.bridge()
                        + ", which is not among the networks");
            }
            if (!prefixes.computeIfAbsent(n.bridge(), b -> n.prefix()).contains(Ipv4Prefix.parseAddress(e.ip(), e.ip()))) {
                throw new IllegalArgumentException("endpoint " + e.ip() + " is outside subnet " + n.subnet()
                        + " of bridge " + n.bridge());
            }
        }
    }

    /** The state with no networks: nsnet's base chains and jumps only. */
    public static FirewallState empty(String chainPrefix, boolean userlandProxy) {
        return new FirewallState(chainPrefix, userlandProxy, List.of(), List.of());
    }

    public ChainNames chains() {
        return new ChainNames(chainPrefix);
    }

    /**
     * A bridge network.
     *
     * @param bridge     the bridge interface name (at most 15 bytes)
     * @param subnet     the IPv4 subnet, e.g. {@code 172.17.0.0/16}; stored in masked form
     * @param internal   no traffic in or out of the subnet (Docker's {@code --internal})
     * @param icc        inter-container communication on the bridge
     * @param masquerade SNAT traffic leaving the subnet through another interface
     */
    public record Network(String bridge, String subnet, boolean internal, boolean icc, boolean masquerade) {
        public Network {
            validateInterface(bridge);
            subnet = Ipv4Prefix.parse(subnet).masked().toString();
        }

        /** A Docker-default network: not internal, icc on, masquerade on. */
        public static Network bridge(String bridge, String subnet) {
            return new Network(bridge, subnet, false, true, true);
        }

        public Ipv4Prefix prefix() {
            return Ipv4Prefix.parse(subnet);
        }
    }

    /** An endpoint (a sandbox's address on one bridge) and the ports published to it, in publication order. */
    public record Endpoint(String ip, String bridge, List<PublishedPort> ports) {
        public Endpoint {
            Ipv4Prefix p = Ipv4Prefix.parse(ip);
            if (p.length() != 32) {
                throw new IllegalArgumentException("endpoint address must be a single address: " + ip);
            }
            ip = p.addressString();
            validateInterface(bridge);
            ports = List.copyOf(ports);
        }
    }

    /**
     * {@code -p [hostIp:]hostPort:containerPort/protocol}.
     *
     * @param hostIp {@code null} (or 0.0.0.0) for all host addresses
     */
    public record PublishedPort(String hostIp, int hostPort, int containerPort, Protocol protocol) {
        public PublishedPort {
            Objects.requireNonNull(protocol, "protocol");
            if (hostIp != null) {
                Ipv4Prefix p = Ipv4Prefix.parse(hostIp);
                if (p.length() != 32) {
                    throw new IllegalArgumentException("host IP must be a single address: " + hostIp);
                }
                hostIp = p.address() == 0 ? null : p.addressString();
            }
            checkPort(hostPort);
            checkPort(containerPort);
        }

        public static PublishedPort tcp(int hostPort, int containerPort) {
            return new PublishedPort(null, hostPort, containerPort, Protocol.TCP);
        }

        private static void checkPort(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
        }
    }

    public enum Protocol {
        TCP, UDP;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static void validateInterface(String name) {
        if (name == null || name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > 15
                || name.equals(".") || name.equals("..")
                || name.chars().anyMatch(c -> c <= ' ' || c == '/' || c == ':' || c == '"' || c == '\\' || c > 126)) {
            throw new IllegalArgumentException("invalid interface name '" + name + "'");
        }
    }
}
