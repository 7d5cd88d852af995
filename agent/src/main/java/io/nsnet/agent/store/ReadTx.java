package io.nsnet.agent.store;

import io.nsnet.agent.model.Network;
import io.nsnet.agent.model.NotFoundException;
import io.nsnet.agent.model.Sandbox;
import java.util.List;
import java.util.Optional;

/**
 * Reads inside one store transaction: every call sees the same consistent state (and, in a {@link Tx}, the
 * transaction's own uncommitted writes). Only valid while the transaction runs; do not keep it.
 */
public interface ReadTx {

    /** All networks in creation order. */
    List<Network> networks();

    /**
     * The oldest network whose subnet overlaps {@code subnet}, if any (what a scan of {@link #networks()} in
     * creation order finds first). A write transaction answers from an index instead of scanning.
     */
    default Optional<Network> networkOverlapping(io.nsnet.agent.model.Cidr subnet) {
        for (Network n : networks()) {
            if (n.subnet().overlaps(subnet)) {
                return Optional.of(n);
            }
        }
        return Optional.empty();
    }

    Optional<Network> network(String name);

    /** @throws NotFoundException "network X not found" */
    default Network requireNetwork(String name) {
        return network(name).orElseThrow(() -> new NotFoundException("network " + name + " not found"));
    }

    /** The default network, if it was created already. */
    Optional<Network> defaultNetwork();

    /** All sandboxes in creation order, with endpoints and ports. */
    List<Sandbox> sandboxes();

    Optional<Sandbox> sandbox(String name);

    /** @throws NotFoundException "sandbox X not found" */
    default Sandbox requireSandbox(String name) {
        return sandbox(name).orElseThrow(() -> new NotFoundException("sandbox " + name + " not found"));
    }

    /** Names of the sandboxes with an endpoint on the network, in creation order. */
    List<String> sandboxesOn(String network);

    /**
     * The first address IPAM would hand out on the network ({@link io.nsnet.agent.ipam.AddressBook#firstFree}) with
     * {@link #addressesOn} held, when known without looking (the writer keeps it between commits); empty otherwise.
     * For {@link io.nsnet.agent.ipam.AddressBook#of(io.nsnet.agent.model.Network, java.util.Map,
     * io.nsnet.agent.model.Ipv4)}; ask after {@link #addressesOn}, which fills it.
     */
    default Optional<io.nsnet.agent.model.Ipv4> firstFreeAddress(String network) {
        return Optional.empty();
    }

    /**
     * The addresses held on a network (endpoints in any state), with the sandbox holding each: what IPAM needs
     * to pick a free address, without loading every sandbox with its endpoints and ports. May be read only.
     */
    default java.util.Map<io.nsnet.agent.model.Ipv4, String> addressesOn(String network) {
        java.util.Map<io.nsnet.agent.model.Ipv4, String> held = new java.util.HashMap<>();
        for (Sandbox s : sandboxes()) {
            s.endpoint(network).ifPresent(e -> held.put(e.ip(), s.name()));
        }
        return held;
    }

    /** A sandbox's published port that conflicts with a wanted one. */
    record PortHolder(String sandbox, io.nsnet.agent.model.PortMapping mapping) {
    }

    /**
     * The first stored published port that conflicts with {@code wanted} (same host port and protocol,
     * overlapping host IP), with the sandbox holding it: what a port check needs, without loading every sandbox.
     */
    default Optional<PortHolder> portHolder(io.nsnet.agent.model.PortMapping wanted) {
        for (Sandbox s : sandboxes()) {
            for (io.nsnet.agent.model.PortMapping q : s.ports()) {
                if (wanted.conflictsWith(q)) {
                    return Optional.of(new PortHolder(s.name(), q));
                }
            }
        }
        return Optional.empty();
    }

    /** The sandboxes that publish ports, with endpoints and ports: all the firewall needs of sandboxes. */
    default List<Sandbox> sandboxesWithPorts() {
        return sandboxes().stream().filter(s -> !s.ports().isEmpty()).toList();
    }

    /** Index of the default pool the last automatic subnet allocation used, -1 if none yet. */
    int lastPoolIndex();

    Optional<String> meta(String key);

    /** Everything, for reconcile. */
    default StateSnapshot snapshot() {
        return new StateSnapshot(networks(), sandboxes(), lastPoolIndex());
    }
}
