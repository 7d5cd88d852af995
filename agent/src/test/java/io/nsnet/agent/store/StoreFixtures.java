package io.nsnet.agent.store;

import io.nsnet.agent.model.Cidr;
import io.nsnet.agent.model.Endpoint;
import io.nsnet.agent.model.Fixtures;
import io.nsnet.agent.model.Ipv4;
import io.nsnet.agent.model.Network;
import io.nsnet.agent.model.ObjectState;
import io.nsnet.agent.model.PortMapping;
import io.nsnet.agent.model.Sandbox;
import java.util.List;
import java.util.Optional;

/** Builds records with store-assigned sequence numbers, as the daemon will. */
final class StoreFixtures {

    private StoreFixtures() {
    }

    static Network network(Tx tx, String name, String subnet) {
        Cidr c = Cidr.parse(subnet);
        long seq = tx.nextSequence();
        return new Network(name, Fixtures.id((int) seq), String.format("nsn-%011x", seq), c, c.network().plus(1),
                Optional.empty(), false, true, true, 1500, seq, Fixtures.T0.plusSeconds(seq), false, ObjectState.READY);
    }

    static Endpoint endpoint(String network, int index, String ip, int vethNo) {
        return Endpoint.create(network, "eth" + index, String.format("veth%07x", vethNo), Ipv4.parse(ip))
                .withState(ObjectState.READY);
    }

    static Sandbox sandbox(Tx tx, String name, List<Endpoint> endpoints, List<PortMapping> ports) {
        long seq = tx.nextSequence();
        return new Sandbox(name, Fixtures.id(0x100000 + (int) seq), "nsnet-" + name, endpoints, ports, seq,
                Fixtures.T0.plusSeconds(seq), ObjectState.READY);
    }
}
