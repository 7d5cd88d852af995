package io.nsnet.agent.model;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules a request must satisfy before anything is allocated or stored. Every check throws
 * {@link ValidationException} with a message that names the field, the offending value and the rule, so the
 * CLI can print it as is.
 */
public final class Validation {

    /** Docker's name rule: starts with a letter or digit, then letters, digits, '_', '.', '-'. */
    public static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");

    /**
     * Network names only label rows (the bridge is named from the id), so the limit just keeps tables and
     * messages readable.
     */
    public static final int MAX_NETWORK_NAME = 64;

    /**
     * Limit on the sandbox namespace name (prefix + sandbox name). Namespace names are file names under
     * /run/netns, so the kernel would allow 255, but they also appear in logs, tables and `ip netns` output.
     */
    public static final int MAX_NETNS_NAME = 64;

    /** Longest sandbox prefix; leaves room for a meaningful sandbox name under {@link #MAX_NETNS_NAME}. */
    public static final int MAX_SANDBOX_PREFIX = 32;

    /** IFNAMSIZ is 16 including the terminating NUL, so an interface name has at most 15 bytes. */
    public static final int MAX_INTERFACE_NAME = 15;

    public static final int MIN_MTU = 68;
    public static final int MAX_MTU = 65535;

    /** Smallest subnet that leaves room for network, gateway, one sandbox and broadcast addresses. */
    public static final int MAX_SUBNET_PREFIX = 30;

    /**
     * Blocks a bridge network must not use: "this network", loopback, link-local (the kernel and cloud metadata
     * use it), multicast and the reserved/broadcast block. Routing a bridge over them breaks the host.
     */
    private static final List<Cidr> RESERVED = List.of(
            Cidr.parse("0.0.0.0/8"), Cidr.parse("127.0.0.0/8"), Cidr.parse("169.254.0.0/16"),
            Cidr.parse("224.0.0.0/4"), Cidr.parse("240.0.0.0/4"));

    private Validation() {
    }

    /**
     * Network names with a meaning of their own: {@code --network none} asks for no network, and Docker users
     * read {@code host} as the host's namespace. A network called so would be unreachable or misleading.
     */
    public static final Set<String> RESERVED_NETWORK_NAMES = Set.of("none", "host");

    public static String networkName(String name) {
        name("network name", name, MAX_NETWORK_NAME);
        if (RESERVED_NETWORK_NAMES.contains(name)) {
            throw new ValidationException("network name \"" + name + "\": reserved (--network " + name
                    + " has its own meaning); choose another name");
        }
        return name;
    }

    /**
     * Checks a sandbox name and that the namespace name derived from it ({@code prefix + name}) fits
     * {@link #MAX_NETNS_NAME}.
     */
    public static String sandboxName(String name, String sandboxPrefix) {
        name("sandbox name", name, MAX_NETNS_NAME);
        String netns = sandboxPrefix + name;
        if (bytes(netns) > MAX_NETNS_NAME) {
            throw new ValidationException("sandbox name \"" + name + "\": its namespace name \"" + netns + "\" has "
                    + bytes(netns) + " bytes, more than " + MAX_NETNS_NAME + "; use at most "
                    + (MAX_NETNS_NAME - bytes(sandboxPrefix)) + " bytes");
        }
        return name;
    }

    /** Checks the daemon's {@code --sandbox-prefix}: non-empty (reconcile finds nsnet's namespaces by it). */
    public static String sandboxPrefix(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            throw new ValidationException("sandbox prefix is empty; it must be set, because nsnet recognises its namespaces by it");
        }
        if (!prefix.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '-'))) {
            throw new ValidationException("sandbox prefix \"" + prefix + "\": only letters, digits, '_', '.' and '-' are allowed");
        }
        if (bytes(prefix) > MAX_SANDBOX_PREFIX) {
            throw new ValidationException("sandbox prefix \"" + prefix + "\": longer than " + MAX_SANDBOX_PREFIX + " bytes");
        }
        return prefix;
    }

    /**
     * Checks a bridge (or any interface) name: 1–15 bytes and Docker's name characters. Stricter than the
     * kernel on purpose: '+' is a wildcard in iptables interface matches and ':' '/' or spaces break tools.
     */
    public static String interfaceName(String field, String name) {
        if (name == null || name.isEmpty()) {
            throw new ValidationException(field + " is empty");
        }
        if (bytes(name) > MAX_INTERFACE_NAME) {
            throw new ValidationException(field + " \"" + name + "\": " + bytes(name) + " bytes, but interface names have at most "
                    + MAX_INTERFACE_NAME + " bytes");
        }
        if (!NAME.matcher(name).matches()) {
            throw new ValidationException(field + " \"" + name + "\": must start with a letter or digit and contain only letters, digits, '_', '.' and '-'");
        }
        return name;
    }

    public static int mtu(int mtu) {
        if (mtu < MIN_MTU || mtu > MAX_MTU) {
            throw new ValidationException("mtu " + mtu + ": must be between " + MIN_MTU + " and " + MAX_MTU);
        }
        return mtu;
    }

    public static int port(String field, int port) {
        if (port < 1 || port > 65535) {
            throw new ValidationException(field + " " + port + ": must be between 1 and 65535");
        }
        return port;
    }

    /** A 64-hex-digit object id, as Docker's. */
    public static String id(String field, String id) {
        if (id == null || id.length() != 64 || !id.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            throw new ValidationException(field + " \"" + id + "\": must be 64 lower-case hex digits");
        }
        return id;
    }

    /** A subnet usable for a bridge network: room for gateway and sandboxes, outside reserved blocks. */
    public static Cidr subnet(Cidr subnet) {
        if (subnet.prefix() > MAX_SUBNET_PREFIX) {
            throw new ValidationException("subnet \"" + subnet + "\": prefix /" + subnet.prefix()
                    + " leaves no room for a gateway and a sandbox; use /" + MAX_SUBNET_PREFIX + " or shorter");
        }
        for (Cidr r : RESERVED) {
            if (r.overlaps(subnet)) {
                throw new ValidationException("subnet \"" + subnet + "\": overlaps the reserved block " + r);
            }
        }
        return subnet;
    }

    /** The gateway must be a host address of the subnet (not its network or broadcast address). */
    public static Ipv4 gateway(Cidr subnet, Ipv4 gateway) {
        hostAddress("gateway", subnet, gateway);
        return gateway;
    }

    /** The ip-range must lie inside the subnet. */
    public static Cidr ipRange(Cidr subnet, Cidr ipRange) {
        if (!subnet.contains(ipRange)) {
            throw new ValidationException("ip-range \"" + ipRange + "\": not inside subnet " + subnet);
        }
        return ipRange;
    }

    /** Checks a complete subnet configuration: subnet, gateway and optional ip-range. */
    public static void subnetConfig(Cidr subnet, Ipv4 gateway, Optional<Cidr> ipRange) {
        subnet(subnet);
        gateway(subnet, gateway);
        ipRange.ifPresent(r -> ipRange(subnet, r));
    }

    /** A static sandbox address: a host address of the network's subnet, and not the gateway. */
    public static Ipv4 staticAddress(Network network, Ipv4 ip) {
        hostAddress("ip", network.subnet(), ip);
        if (ip.equals(network.gateway())) {
            throw new ValidationException("ip \"" + ip + "\": is the gateway of network " + network.name());
        }
        return ip;
    }

    private static void hostAddress(String field, Cidr subnet, Ipv4 ip) {
        if (!subnet.contains(ip)) {
            throw new ValidationException(field + " \"" + ip + "\": not inside subnet " + subnet);
        }
        if (ip.equals(subnet.network())) {
            throw new ValidationException(field + " \"" + ip + "\": is the network address of subnet " + subnet);
        }
        if (ip.equals(subnet.broadcast())) {
            throw new ValidationException(field + " \"" + ip + "\": is the broadcast address of subnet " + subnet);
        }
    }

    private static String name(String field, String name, int maxBytes) {
        if (name == null || name.isEmpty()) {
            throw new ValidationException(field + " is empty");
        }
        if (!NAME.matcher(name).matches()) {
            throw new ValidationException(field + " \"" + name + "\": must match [a-zA-Z0-9][a-zA-Z0-9_.-]* "
                    + "(start with a letter or digit; then letters, digits, '_', '.', '-')");
        }
        if (bytes(name) > maxBytes) {
            throw new ValidationException(field + " \"" + name + "\": " + bytes(name) + " bytes, longer than the limit of " + maxBytes);
        }
        return name;
    }

    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
