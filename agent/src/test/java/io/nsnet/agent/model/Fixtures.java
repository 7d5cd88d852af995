package io.nsnet.agent.model;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Builders for valid records in tests. */
public final class Fixtures {

    public static final Instant T0 = Instant.parse("2026-11-27T10:25:00.669243931Z");

    private Fixtures() {
    }

    /** A 64-hex id whose digits all come from {@code n}, so each test object gets a distinct, readable id. */
    public static String id(int n) {
        return String.format("%064x", n);
    }

    public static Network network(String name, String subnet, long seq) {
        Cidr cidr = Cidr.parse(subnet);
        return new Network(name, id((int) seq + 1), "br" + seq, cidr, cidr.network().plus(1), Optional.empty(),
                false, true, true, 1500, seq, T0.plusSeconds(seq), false, ObjectState.READY);
    }

    public static Sandbox sandbox(String name, long seq, List<Endpoint> endpoints, List<PortMapping> ports) {
        return new Sandbox(name, id(0x1000 + (int) seq), "nsnet-" + name, endpoints, ports, seq, T0.plusSeconds(seq),
                ObjectState.READY);
    }

    public static Endpoint endpoint(String network, int index, String ip) {
        return Endpoint.create(network, "eth" + index, String.format("veth%07x", (network.hashCode() & 0xfffff) * 16 + index),
                Ipv4.parse(ip)).withState(ObjectState.READY);
    }
}
