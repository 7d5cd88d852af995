package io.nsnet.agent.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a container is to Docker, without an image: a named network namespace with endpoints on networks and
 * published ports.
 *
 * @param name      unique user-facing name
 * @param id        64 random hex digits
 * @param netns     the named namespace, {@code sandboxPrefix + name} (so {@code ip netns exec} works)
 * @param endpoints attachments ordered by interface (eth0 first: it carries the default route)
 * @param ports     published ports, forwarded to the address of the first endpoint
 * @param seq       creation order, unique and increasing, assigned by the store
 * @param created   creation time, for display
 * @param state     lifecycle / crash-safety intent, see {@link ObjectState}
 */
public record Sandbox(
        String name,
        String id,
        String netns,
        List<Endpoint> endpoints,
        List<PortMapping> ports,
        long seq,
        Instant created,
        ObjectState state) {

    public Sandbox {
        Validation.id("sandbox id", id);
        if (netns == null || !netns.endsWith(name)) {
            throw new ValidationException("netns name \"" + netns + "\": must be the sandbox prefix followed by the sandbox name \"" + name + "\"");
        }
        Validation.sandboxName(name, netns.substring(0, netns.length() - name.length()));
        List<Endpoint> sorted = new ArrayList<>(endpoints);
        sorted.sort(Comparator.comparingInt(Endpoint::interfaceIndex));
        Set<String> nets = new HashSet<>();
        Set<String> ifs = new HashSet<>();
        for (Endpoint e : sorted) {
            if (!nets.add(e.network())) {
                throw new ConflictException("sandbox " + name + " is already connected to network " + e.network());
            }
            if (!ifs.add(e.ifname())) {
                throw new ConflictException("sandbox " + name + " already has an interface " + e.ifname());
            }
        }
        endpoints = List.copyOf(sorted);
        ports = List.copyOf(ports);
        for (int i = 0; i < ports.size(); i++) {
            for (int j = i + 1; j < ports.size(); j++) {
                if (ports.get(i).conflictsWith(ports.get(j))) {
                    throw new ValidationException("ports " + ports.get(i) + " and " + ports.get(j) + " of sandbox " + name
                            + " use the same host port");
                }
            }
        }
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(state, "state");
    }

    public Optional<Endpoint> endpoint(String network) {
        return endpoints.stream().filter(e -> e.network().equals(network)).findFirst();
    }

    /** The endpoint that carries the default route and receives published ports: eth0's, or the lowest. */
    public Optional<Endpoint> primaryEndpoint() {
        return endpoints.isEmpty() ? Optional.empty() : Optional.of(endpoints.get(0));
    }

    /** The lowest {@code ethN} not in use, for the next connect. */
    public String nextInterfaceName() {
        Set<String> used = new HashSet<>();
        endpoints.forEach(e -> used.add(e.ifname()));
        int n = 0;
        while (used.contains("eth" + n)) {
            n++;
        }
        return "eth" + n;
    }

    public Sandbox withEndpoint(Endpoint endpoint) {
        List<Endpoint> list = new ArrayList<>(endpoints);
        list.add(endpoint);
        return new Sandbox(name, id, netns, list, ports, seq, created, state);
    }

    public Sandbox withoutEndpoint(String network) {
        List<Endpoint> list = new ArrayList<>(endpoints);
        list.removeIf(e -> e.network().equals(network));
        return new Sandbox(name, id, netns, list, ports, seq, created, state);
    }

    public Sandbox withState(ObjectState newState) {
        return new Sandbox(name, id, netns, endpoints, ports, seq, created, newState);
    }
}
