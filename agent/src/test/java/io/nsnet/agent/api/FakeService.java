package io.nsnet.agent.api;

import io.nsnet.agent.model.ConflictException;
import io.nsnet.agent.model.NotFoundException;
import io.nsnet.agent.model.ValidationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-memory {@link NsnetService} for API and CLI tests: enough behaviour to exercise every status code,
 * and a log of the requests it received so tests can check what the CLI actually sent. Special names trigger
 * failures: "boom" a RuntimeException (500), "iae" an IllegalArgumentException (400), network "null" a null
 * result (500).
 */
public final class FakeService implements NsnetService {
    private final Map<String, NetworkView> networks = new TreeMap<>();
    private final Map<String, SandboxView> sandboxes = new TreeMap<>();
    /** Every request object or name the service was called with, in order. */
    public final List<Object> calls = new CopyOnWriteArrayList<>();
    private int nextId = 1;

    private static void trip(String name) {
        if ("boom".equals(name)) {
            throw new IllegalStateException("kaboom");
        }
        if ("iae".equals(name)) {
            throw new IllegalArgumentException("bad argument from the service");
        }
    }

    private String id() {
        // 64 hex digits like Docker's IDs, distinct in their first 12 so short IDs differ as they would.
        String part = String.format("%016x", (nextId++) * 0x9E3779B97F4A7C15L);
        return part.repeat(4);
    }

    @Override
    public synchronized NetworkView createNetwork(NetworkCreateRequest r) {
        calls.add(r);
        if (r.name() == null || r.name().isBlank()) {
            throw new ValidationException("name: required");
        }
        trip(r.name());
        if (networks.containsKey(r.name())) {
            throw new ConflictException("network " + r.name() + " already exists");
        }
        String subnet = r.subnet() != null ? r.subnet() : "172." + (18 + networks.size()) + ".0.0/16";
        String gateway = r.gateway() != null ? r.gateway() : subnet.replace(".0.0/16", ".0.1");
        NetworkView v = new NetworkView(r.name(), id(), r.bridgeName() != null ? r.bridgeName() : "nsn-" + r.name(),
                subnet, gateway, r.ipRange(), Boolean.TRUE.equals(r.internal()), !Boolean.FALSE.equals(r.icc()),
                !Boolean.FALSE.equals(r.masquerade()), r.mtu() != null ? r.mtu() : 1500, false,
                "2026-11-27T11:00:00Z", List.of());
        networks.put(r.name(), v);
        return v;
    }

    @Override
    public synchronized void deleteNetwork(String name) {
        calls.add("deleteNetwork:" + name);
        trip(name);
        if (networks.remove(name) == null) {
            throw new NotFoundException("network " + name + " not found");
        }
    }

    @Override
    public synchronized List<NetworkView> listNetworks() {
        return new ArrayList<>(networks.values());
    }

    @Override
    public synchronized NetworkView inspectNetwork(String name) {
        trip(name);
        if ("null".equals(name)) {
            return null; // a buggy service
        }
        NetworkView v = networks.get(name);
        if (v == null) {
            throw new NotFoundException("network " + name + " not found");
        }
        return v;
    }

    @Override
    public synchronized SandboxView connect(String network, ConnectRequest r) {
        calls.add("connect:" + network + ":" + r);
        return attach(network, r, true);
    }

    @Override
    public synchronized SandboxView disconnect(String network, ConnectRequest r) {
        calls.add("disconnect:" + network + ":" + r);
        return attach(network, r, false);
    }

    private SandboxView attach(String network, ConnectRequest r, boolean connect) {
        inspectNetwork(network);
        SandboxView s = inspectSandbox(r.sandbox());
        List<SandboxView.EndpointView> eps = new ArrayList<>(s.endpoints());
        eps.removeIf(e -> e.network().equals(network));
        if (connect) {
            eps.add(new SandboxView.EndpointView(network, "eth" + eps.size(), "veth" + eps.size(),
                    r.ip() != null ? r.ip() + "/16" : "172.18.0.9/16", "02:42:ac:12:00:09", "172.18.0.1"));
        }
        SandboxView n = new SandboxView(s.name(), s.id(), s.netns(), eps, s.ports(), s.created());
        sandboxes.put(n.name(), n);
        return n;
    }

    @Override
    public synchronized SandboxView createSandbox(SandboxCreateRequest r) {
        calls.add(r);
        if (r.name() == null) {
            throw new ValidationException("name: required");
        }
        trip(r.name());
        if (sandboxes.containsKey(r.name())) {
            throw new ConflictException("sandbox " + r.name() + " already exists");
        }
        List<SandboxView.EndpointView> eps = new ArrayList<>();
        List<String> nets = r.networks() == null || r.networks().isEmpty() ? List.of("nsnet") : r.networks();
        int i = 0;
        for (String net : nets) {
            if (!net.equals("none")) {
                eps.add(new SandboxView.EndpointView(net, "eth" + i, "veth" + i + r.name(),
                        (i == 0 && r.ip() != null ? r.ip() : "172.17.0." + (2 + sandboxes.size())) + "/16",
                        "02:42:ac:11:00:02", "172.17.0.1"));
                i++;
            }
        }
        SandboxView v = new SandboxView(r.name(), id(), "nsnet-" + r.name(), eps,
                r.ports() == null ? List.of() : r.ports(), "2026-11-27T11:00:00Z");
        sandboxes.put(r.name(), v);
        return v;
    }

    @Override
    public synchronized void deleteSandbox(String name) {
        calls.add("deleteSandbox:" + name);
        trip(name);
        if (sandboxes.remove(name) == null) {
            throw new NotFoundException("sandbox " + name + " not found");
        }
    }

    @Override
    public synchronized List<SandboxView> listSandboxes() {
        return new ArrayList<>(sandboxes.values());
    }

    @Override
    public synchronized SandboxView inspectSandbox(String name) {
        trip(name);
        SandboxView v = sandboxes.get(name);
        if (v == null) {
            throw new NotFoundException("sandbox " + name + " not found");
        }
        return v;
    }

    @Override
    public synchronized InfoView info() {
        return new InfoView("0.1.0-test", "nft", "NSNET", "host", "nsnet", true, "nsnet-", "/run/nsnet/nsnetd.sock",
                "/var/lib/nsnet", networks.size(), sandboxes.size());
    }
}
