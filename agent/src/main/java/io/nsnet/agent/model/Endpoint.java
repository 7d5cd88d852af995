package io.nsnet.agent.model;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A sandbox's attachment to one network: a veth pair whose host end is enslaved to the network's bridge and
 * whose other end is {@code ethN} inside the sandbox namespace.
 *
 * @param network   name of the network
 * @param ifname    interface name inside the sandbox: eth0, eth1, …
 * @param hostVeth  host end, {@code veth} + 7 hex digits as Docker names it
 * @param ip        the sandbox's address on the network
 * @param mac       derived from {@code ip} ({@link MacAddress#fromIpv4})
 * @param state     lifecycle / crash-safety intent for connect/disconnect, see {@link ObjectState}
 */
public record Endpoint(String network, String ifname, String hostVeth, Ipv4 ip, MacAddress mac, ObjectState state) {

    private static final Pattern IFNAME = Pattern.compile("eth(0|[1-9][0-9]{0,3})");
    private static final Pattern VETH = Pattern.compile("veth[0-9a-f]{7}");

    public Endpoint {
        Validation.networkName(network);
        if (ifname == null || !IFNAME.matcher(ifname).matches()) {
            throw new ValidationException("interface name \"" + ifname + "\": must be ethN (eth0, eth1, …)");
        }
        if (hostVeth == null || !VETH.matcher(hostVeth).matches()) {
            throw new ValidationException("host veth name \"" + hostVeth + "\": must be veth followed by 7 hex digits");
        }
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(state, "state");
    }

    /** A new endpoint with the MAC derived from the address as Docker does, in state {@link ObjectState#CREATING}. */
    public static Endpoint create(String network, String ifname, String hostVeth, Ipv4 ip) {
        return new Endpoint(network, ifname, hostVeth, ip, MacAddress.fromIpv4(ip), ObjectState.CREATING);
    }

    /** The N of {@code ethN}. */
    public int interfaceIndex() {
        return Integer.parseInt(ifname.substring(3));
    }

    public Endpoint withState(ObjectState newState) {
        return new Endpoint(network, ifname, hostVeth, ip, mac, newState);
    }
}
