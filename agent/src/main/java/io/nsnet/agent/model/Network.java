package io.nsnet.agent.model;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A bridge network as stored: Docker's user-defined bridge network (or the default network, the seed's docker0).
 *
 * @param name       unique user-facing name
 * @param id         64 random hex digits
 * @param bridge     the Linux bridge: the given name or {@link Names#bridgeNameFor(String) nsn-<id prefix>}
 * @param subnet     the network's block; the bridge carries {@code gateway/prefix}
 * @param gateway    the bridge's address and the sandboxes' default route
 * @param ipRange    if present, dynamic addresses come only from this sub-block (static ones from the subnet)
 * @param internal   no traffic to or from outside the network (Docker's {@code --internal})
 * @param icc        inter-sandbox communication on this bridge ({@code enable_icc})
 * @param masquerade NAT traffic leaving the host ({@code enable_ip_masquerade})
 * @param mtu        bridge and veth MTU
 * @param seq        creation order, unique and increasing, assigned by the store ({@code Tx.nextSequence()})
 * @param created    creation time, for display
 * @param isDefault  the daemon's default network (sandboxes created without {@code --network} join it)
 * @param state      lifecycle / crash-safety intent, see {@link ObjectState}
 */
public record Network(
        String name,
        String id,
        String bridge,
        Cidr subnet,
        Ipv4 gateway,
        Optional<Cidr> ipRange,
        boolean internal,
        boolean icc,
        boolean masquerade,
        int mtu,
        long seq,
        Instant created,
        boolean isDefault,
        ObjectState state) {

    public static final int DEFAULT_MTU = 1500;

    public Network {
        Validation.networkName(name);
        Validation.id("network id", id);
        Validation.interfaceName("bridge name", bridge);
        Objects.requireNonNull(subnet, "subnet");
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(ipRange, "ipRange");
        Validation.subnetConfig(subnet, gateway, ipRange);
        Validation.mtu(mtu);
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(state, "state");
    }

    /** The first 12 hex digits of the id, as Docker shows ids. */
    public String shortId() {
        return id.substring(0, 12);
    }

    public Network withState(ObjectState newState) {
        return new Network(name, id, bridge, subnet, gateway, ipRange, internal, icc, masquerade, mtu, seq, created,
                isDefault, newState);
    }
}
