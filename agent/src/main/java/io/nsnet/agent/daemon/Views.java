package io.nsnet.agent.daemon;

import java.util.ArrayList;
import java.util.List;

import io.nsnet.agent.api.NetworkView;
import io.nsnet.agent.api.SandboxView;
import io.nsnet.agent.model.Cidr;
import io.nsnet.agent.model.Endpoint;
import io.nsnet.agent.model.Network;
import io.nsnet.agent.model.PortMapping;
import io.nsnet.agent.model.Sandbox;
import io.nsnet.agent.store.StateSnapshot;

/** Stored objects → what the API shows. */
final class Views {
    private Views() {
    }

    static NetworkView network(Network n, List<Sandbox> sandboxes) {
        List<NetworkView.AttachedSandbox> attached = new ArrayList<>();
        for (Sandbox s : sandboxes) {
            s.endpoint(n.name()).ifPresent(e -> attached.add(new NetworkView.AttachedSandbox(s.name(),
                    e.ip() + "/" + n.subnet().prefix(), e.mac().toString(), e.ifname())));
        }
        return new NetworkView(n.name(), n.id(), n.bridge(), n.subnet().toString(), n.gateway().toString(),
                n.ipRange().map(Cidr::toString).orElse(null), n.internal(), n.icc(), n.masquerade(), n.mtu(),
                n.isDefault(), n.created().toString(), attached);
    }

    static NetworkView network(Network n, StateSnapshot snap) {
        return network(n, snap.sandboxes());
    }

    static SandboxView sandbox(Sandbox s, StateSnapshot snap) {
        return sandbox(s, snap::network);
    }

    /** With the networks looked up one by one: a view of one sandbox needs only its own networks. */
    static SandboxView sandbox(Sandbox s, java.util.function.Function<String, java.util.Optional<Network>> networks) {
        List<SandboxView.EndpointView> eps = new ArrayList<>();
        for (Endpoint e : s.endpoints()) {
            Network n = networks.apply(e.network()).orElse(null);
            eps.add(new SandboxView.EndpointView(e.network(), e.ifname(), e.hostVeth(),
                    n == null ? e.ip().toString() : e.ip() + "/" + n.subnet().prefix(), e.mac().toString(),
                    n == null ? null : n.gateway().toString()));
        }
        return new SandboxView(s.name(), s.id(), s.netns(), eps, s.ports().stream().map(PortMapping::toSpec).toList(),
                s.created().toString());
    }
}
