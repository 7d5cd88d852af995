package io.nsnet.agent.store;

import io.nsnet.agent.model.Endpoint;
import io.nsnet.agent.model.Network;
import io.nsnet.agent.model.ObjectState;
import io.nsnet.agent.model.Sandbox;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The whole stored state, read in one transaction (so it is consistent): what reconcile compares the kernel with.
 *
 * @param networks      all networks in creation order, whatever their state
 * @param sandboxes     all sandboxes in creation order, with endpoints and ports, whatever their state
 * @param lastPoolIndex where the last automatic subnet allocation stopped (-1: none yet)
 */
public record StateSnapshot(List<Network> networks, List<Sandbox> sandboxes, int lastPoolIndex) {

    public StateSnapshot {
        networks = List.copyOf(networks);
        sandboxes = List.copyOf(sandboxes);
    }

    public Optional<Network> network(String name) {
        return networks.stream().filter(n -> n.name().equals(name)).findFirst();
    }

    public Optional<Sandbox> sandbox(String name) {
        return sandboxes.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public Optional<Network> defaultNetwork() {
        return networks.stream().filter(Network::isDefault).findFirst();
    }

    /** Networks whose create or delete was interrupted (state creating or deleting). */
    public List<Network> pendingNetworks() {
        return networks.stream().filter(n -> n.state() != ObjectState.READY).toList();
    }

    /** Sandboxes whose create or delete, or one of whose connects or disconnects, was interrupted. */
    public List<Sandbox> pendingSandboxes() {
        return sandboxes.stream()
                .filter(s -> s.state() != ObjectState.READY || s.endpoints().stream().anyMatch(e -> e.state() != ObjectState.READY))
                .toList();
    }

    /**
     * Every kernel name the stored state accounts for, by kind. Reconcile removes nsnet-made bridges, veths and
     * namespaces that are not in these sets (and only those carrying nsnet's naming, so nothing else is touched).
     */
    public Set<String> bridgeNames() {
        return networks.stream().map(Network::bridge).collect(Collectors.toUnmodifiableSet());
    }

    /** Host-side veth names of all endpoints. */
    public Set<String> vethNames() {
        return sandboxes.stream().flatMap(s -> s.endpoints().stream()).map(Endpoint::hostVeth)
                .collect(Collectors.toUnmodifiableSet());
    }

    /** Named network namespaces of all sandboxes. */
    public Set<String> netnsNames() {
        return sandboxes.stream().map(Sandbox::netns).collect(Collectors.toUnmodifiableSet());
    }

    /** Sandboxes with an endpoint on the network, in creation order. */
    public List<Sandbox> sandboxesOn(String network) {
        return sandboxes.stream().filter(s -> s.endpoint(network).isPresent()).toList();
    }
}
