package io.nsnet.agent.daemon;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

import io.nsnet.agent.model.Endpoint;
import io.nsnet.agent.model.Network;
import io.nsnet.agent.model.Sandbox;
import io.nsnet.agent.sandbox.SandboxDriver;

/**
 * The namespace and veths of a sandbox being created, made while its row is still being committed: the veths are
 * plugged into their bridges (see {@link SandboxDriver#plug}) from the networks as last cached while the intent
 * transaction checks the request, allocates the addresses and commits on the side thread; the addresses go in once
 * it has. Making a veth across namespaces is the costliest step of an attach (0.64-0.90 ms in-process), the
 * transaction ~0.6 ms, and neither needs the other.
 *
 * <p>Why this is crash safe although the veths exist before the row that names them: their peers are in the
 * sandbox's namespace, which has no name until the row is committed ({@link SandboxDriver#take}). If the daemon dies
 * before that, the namespace dies with it, and a veth goes with its peer; a host end still listed at the next start
 * carries the mark of a sandbox id no row has, and reconcile removes it.
 *
 * <p>Used by one create at a time, on the thread that runs it.
 */
final class NewSandboxLinks implements AutoCloseable {
    private final SandboxDriver sandboxes;
    private final SandboxDriver.Handle handle;
    private final String sandboxId;
    private final List<String> hostVeths;
    private final ToIntFunction<Network> bridgeIndex;
    /** The networks the veths are plugged into, in order; null while none are, or after a failure. */
    private List<Network> pluggedInto;
    private List<SandboxDriver.Plugged> plugged = List.of();
    /** Whether a plug was tried since the last unplug: it may have left veths even if it failed. */
    private boolean tried;

    /** @param hostVeths the host ends' names, one per network the sandbox will be on, in order */
    NewSandboxLinks(SandboxDriver sandboxes, SandboxDriver.Handle handle, String sandboxId, List<String> hostVeths,
            ToIntFunction<Network> bridgeIndex) {
        this.sandboxes = sandboxes;
        this.handle = handle;
        this.sandboxId = sandboxId;
        this.hostVeths = List.copyOf(hostVeths);
        this.bridgeIndex = bridgeIndex;
    }

    SandboxDriver.Handle handle() {
        return handle;
    }

    /**
     * Plugs veth {@code i} into {@code networks[i]}, unless they are plugged there already; veths plugged into other
     * networks (the cached rows were not what the transaction found), or left by a failed attempt, are removed
     * first.
     */
    void plug(List<Network> networks) {
        if (networks.equals(pluggedInto)) {
            return;
        }
        if (networks.size() != hostVeths.size()) {
            throw new IllegalArgumentException(networks.size() + " networks for " + hostVeths.size() + " veths");
        }
        if (tried) {
            unplug().throwIfAny("replugging sandbox " + sandboxId);
        }
        tried = true;
        List<SandboxDriver.Plugged> out = new ArrayList<>();
        plugged = out;
        for (int i = 0; i < networks.size(); i++) {
            Network n = networks.get(i);
            out.add(sandboxes.plug(handle, sandboxId, hostVeths.get(i), "eth" + i, n.mtu(), bridgeIndex.applyAsInt(n)));
        }
        sandboxes.dropAhead(handle); // a sandbox on no network has no use for the veth made ahead
        pluggedInto = List.copyOf(networks);
    }

    /** The inside half of each endpoint of {@code sb} (see {@link SandboxDriver#configure}); eth0 gets the default route. */
    void configure(Sandbox sb, Map<String, Network> networks) {
        List<Network> on = networksOf(sb, networks);
        if (!on.equals(pluggedInto)) {
            throw new IllegalStateException("sandbox " + sb.name() + ": veths not plugged into " + on);
        }
        for (int i = 0; i < sb.endpoints().size(); i++) {
            sandboxes.configure(handle, plugged.get(i), sb.endpoints().get(i), on.get(i), i == 0);
        }
    }

    /** The networks of {@code sb}'s endpoints, in order. */
    static List<Network> networksOf(Sandbox sb, Map<String, Network> networks) {
        List<Network> out = new ArrayList<>();
        for (Endpoint e : sb.endpoints()) {
            out.add(networks.get(e.network()));
        }
        return out;
    }

    /**
     * Undoes everything when the create fails before its commit: removes the host ends (at once: the namespace's own
     * teardown is deferred by the kernel, and they would linger on the bridge for a moment), then closes the
     * namespace, which, never named, then goes away. Every step is tried; failures are collected.
     */
    Errors abandon() {
        Errors errors = unplug();
        errors.run("close the new namespace", handle::close);
        return errors;
    }

    private Errors unplug() {
        Errors errors = new Errors();
        for (String veth : hostVeths) {
            errors.run("delete veth " + veth, () -> sandboxes.detach(veth)); // false if never made: fine
        }
        pluggedInto = null;
        plugged = List.of();
        tried = false;
        return errors;
    }

    @Override
    public void close() {
        handle.close();
    }
}
