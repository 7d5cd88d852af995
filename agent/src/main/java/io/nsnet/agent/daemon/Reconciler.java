package io.nsnet.agent.daemon;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.nsnet.agent.firewall.FirewallState;
import io.nsnet.agent.ipam.SubnetRequest;
import io.nsnet.agent.model.Cidr;
import io.nsnet.agent.model.Endpoint;
import io.nsnet.agent.model.Network;
import io.nsnet.agent.model.ObjectState;
import io.nsnet.agent.model.Sandbox;
import io.nsnet.agent.network.BridgeDriver;
import io.nsnet.agent.sandbox.SandboxDriver;
import io.nsnet.agent.store.StateSnapshot;
import io.nsnet.link.Link;
import io.nsnet.netns.NetNs;

/**
 * Brings the kernel in line with the store at start-up, after a clean stop or a crash at any point.
 *
 * <ul>
 *   <li>Objects left {@code creating} were never acknowledged: their kernel objects are removed and their rows
 *       dropped. Objects left {@code deleting} were being removed: the removal is finished.</li>
 *   <li>{@code ready} objects get whatever they miss recreated: bridge, address, namespace, veth, master,
 *       published ports. That includes a network or sandbox whose create crashed before it was answered (its row
 *       is committed ready ahead of its kernel work): it is rolled forward. The last sandbox so committed is also
 *       checked inside its namespace (address, route), where a create cut short can leave an endpoint that looks
 *       whole from the host.</li>
 *   <li>Kernel objects that carry nsnet's mark (bridge and veth aliases) or the sandbox prefix (namespaces) but
 *       belong to no stored object are removed. Nothing else is touched.</li>
 *   <li>The firewall is applied from the live ruleset (diff first: nothing changes when nothing differs), with
 *       the networks of removed objects passed as retired so their rules go too.</li>
 * </ul>
 */
final class Reconciler {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

    private final Engine engine;

    Reconciler(Engine engine) {
        this.engine = engine;
    }

    /** Returns the failures of steps that could not be done (also logged); the daemon still starts. */
    List<String> reconcile() {
        return engine.locked(this::reconcileLocked);
    }

    private List<String> reconcileLocked() {
        Errors errors = new Errors();
        List<FirewallState.Network> retired = new ArrayList<>();
        StateSnapshot snap = engine.store().snapshot();

        // 1. unfinished sandbox work
        for (Sandbox sb : snap.sandboxes()) {
            if (sb.state() != ObjectState.READY) {
                LOG.info("reconcile: sandbox {} was left {}; removing it", sb.name(), sb.state().lowerName());
                Errors e = engine.teardownSandboxKernel(sb);
                errors.addAll(e);
                if (e.isEmpty()) {
                    errors.run("forget sandbox " + sb.name(), () -> engine.store().update(tx -> tx.deleteSandbox(sb.name())));
                }
                continue;
            }
            for (Endpoint ep : sb.endpoints()) {
                if (ep.state() != ObjectState.READY) {
                    LOG.info("reconcile: endpoint of {} on {} was left {}; removing it", sb.name(), ep.network(),
                            ep.state().lowerName());
                    errors.run("delete veth " + ep.hostVeth(), () -> engine.sandboxes().detach(ep.hostVeth()));
                    errors.run("forget endpoint", () -> engine.store().update(tx -> tx.deleteEndpoint(sb.name(), ep.network())));
                }
            }
        }
        // 2. unfinished network work
        for (Network n : snap.networks()) {
            if (n.state() != ObjectState.READY) {
                LOG.info("reconcile: network {} was left {}; removing it", n.name(), n.state().lowerName());
                retired.add(Engine.firewallNetwork(n));
                errors.run("delete bridge " + n.bridge(), () -> engine.bridges().delete(n.bridge()));
                errors.run("forget network " + n.name(), () -> engine.store().update(tx -> tx.deleteNetwork(n.name())));
            }
        }
        snap = engine.store().snapshot();

        // 3. orphans: nsnet's marks on objects the store no longer knows
        Set<String> networkIds = new HashSet<>();
        snap.networks().forEach(n -> networkIds.add(n.id()));
        Set<String> sandboxIds = new HashSet<>();
        snap.sandboxes().forEach(s -> sandboxIds.add(s.id()));
        Set<String> vethNames = snap.vethNames();
        for (SandboxDriver.OwnedVeth v : engine.sandboxes().ownedVeths()) {
            if (!sandboxIds.contains(v.sandboxId()) || !vethNames.contains(v.name())) {
                LOG.info("reconcile: removing orphaned veth {}", v.name());
                errors.run("delete orphaned veth " + v.name(), () -> engine.sandboxes().detach(v.name()));
            }
        }
        for (BridgeDriver.Owned b : engine.bridges().ownedBridges()) {
            if (!networkIds.contains(b.networkId())) {
                LOG.info("reconcile: removing orphaned bridge {}", b.bridge());
                retired.add(orphanNetwork(b));
                errors.run("delete orphaned bridge " + b.bridge(), () -> engine.bridges().delete(b.bridge()));
            }
        }
        String prefix = engine.config().sandboxPrefix();
        Set<String> netns = snap.netnsNames();
        for (String ns : NetNs.list()) {
            // Never the host itself, whatever its name: a sandbox prefix that happens to match the host
            // namespace's name must not make nsnetd delete the namespace it runs the host's networking in.
            if (ns.startsWith(prefix) && !netns.contains(ns) && !isHost(ns)) {
                LOG.info("reconcile: removing orphaned namespace {}", ns);
                errors.run("delete orphaned netns " + ns, () -> NetNs.delete(ns));
            }
        }

        // 4. what ready objects miss. The host's links and addresses are read once (after the orphans went)
        // rather than per object: per-object dumps made a start with 1000 networks quadratic.
        BridgeDriver.HostView view = BridgeDriver.HostView.read(engine.hostRtnl());
        for (Network n : snap.networks()) {
            errors.run("network " + n.name(), () -> engine.bridges().ensure(n, view));
        }
        BridgeDriver.HostView afterBridges = BridgeDriver.HostView.read(engine.hostRtnl());
        StateSnapshot stored = snap;
        for (Sandbox sb : snap.sandboxes()) {
            errors.run("sandbox " + sb.name(), () -> repairSandbox(sb, stored, afterBridges));
        }
        // The one sandbox that may have been cut short while its links were made (committed ready ahead of them):
        // checked inside its namespace, since a half-made endpoint can look whole from the host.
        String ahead = engine.store().read(tx -> tx.meta(Engine.META_SANDBOX_AHEAD)).orElse("");
        snap.sandbox(ahead).filter(sb -> sb.state() == ObjectState.READY)
                .ifPresent(sb -> errors.run("sandbox " + sb.name(), () -> completeSandbox(sb, stored)));

        // 5. rules, then the proxy
        errors.run("firewall", () -> engine.syncFirewall(retired, true));
        for (Sandbox sb : snap.sandboxes()) {
            errors.run("publish ports of " + sb.name(), () -> engine.publishPorts(sb));
        }
        errors.logTo(LOG);
        return errors.failures();
    }

    private boolean isHost(String name) {
        if (name.equals(engine.config().hostNetns())) {
            return true;
        }
        try (NetNs ns = NetNs.open(name)) {
            return ns.sameAs(engine.host());
        } catch (RuntimeException e) {
            return false; // gone meanwhile, or unreadable: not the host, which is open
        }
    }

    /** The firewall's picture of a bridge found without a stored network: enough to recognise its rules. */
    private FirewallState.Network orphanNetwork(BridgeDriver.Owned b) {
        // The bridge's gateway address gives the subnet (FirewallState masks it); a bridge without one is
        // recognised by name alone.
        String subnet = engine.hostRtnl().addresses().list(io.nsnet.netlink.Nl.AF_INET, b.index()).stream()
                .findFirst().map(a -> a.prefix().address().getHostAddress() + "/" + a.prefix().prefixLength())
                .orElse("0.0.0.0/32");
        return new FirewallState.Network(b.bridge(), subnet, false, true, true);
    }

    /**
     * Recreates what a ready sandbox misses. Host ends are checked against the links read once; the sandbox's
     * namespace is only opened (a thread hand-off each) when an endpoint has to be rebuilt inside it.
     */
    private void repairSandbox(Sandbox sb, StateSnapshot snap, BridgeDriver.HostView view) {
        SandboxDriver sandboxes = engine.sandboxes();
        if (!sandboxes.exists(sb.netns())) {
            LOG.info("reconcile: sandbox {} lost its namespace; recreating it", sb.name());
            for (Endpoint ep : sb.endpoints()) {
                sandboxes.detach(ep.hostVeth());
            }
            engine.buildSandbox(sb);
            return;
        }
        boolean first = true;
        SandboxDriver.Handle h = null;
        try {
            for (Endpoint ep : sb.endpoints()) {
                Network n = snap.network(ep.network()).orElseThrow();
                Link bridge = view.links().get(n.bridge());
                int br = bridge != null ? bridge.index() : engine.bridgeIndex(n);
                Link hostEnd = view.links().get(ep.hostVeth());
                if (hostEnd == null) {
                    LOG.info("reconcile: sandbox {} lost its endpoint on {}; recreating it", sb.name(), n.name());
                    if (h == null) {
                        h = sandboxes.open(sb.netns());
                    }
                    SandboxDriver.Handle inside = h;
                    inside.rtnl().links().find(ep.ifname()).ifPresent(l -> inside.rtnl().links().delete(l.index()));
                    sandboxes.attach(inside, sb.id(), ep, n, br, first);
                } else {
                    if (hostEnd.masterIndex() != br) {
                        engine.hostRtnl().links().setMaster(hostEnd.index(), br);
                    }
                    if (!hostEnd.isUp()) {
                        engine.hostRtnl().links().setUp(hostEnd.index());
                    }
                }
                first = false;
            }
        } finally {
            if (h != null) {
                h.close();
            }
        }
    }

    /**
     * Remakes each endpoint of {@code sb} that {@link SandboxDriver#complete} finds unfinished: its veth pair is
     * deleted and made again in the sandbox's namespace, which is kept (whatever runs in it stays). A whole
     * sandbox is left exactly as it is.
     */
    private void completeSandbox(Sandbox sb, StateSnapshot snap) {
        SandboxDriver sandboxes = engine.sandboxes();
        try (SandboxDriver.Handle h = sandboxes.open(sb.netns())) {
            boolean first = true;
            for (Endpoint ep : sb.endpoints()) {
                Network n = snap.network(ep.network()).orElseThrow();
                int br = engine.bridgeIndex(n);
                if (!sandboxes.complete(h, sb.id(), ep, n, br, first)) {
                    LOG.info("reconcile: sandbox {} was cut short on {}; remaking its endpoint", sb.name(), n.name());
                    sandboxes.detach(ep.hostVeth());
                    h.rtnl().links().find(ep.ifname()).ifPresent(l -> h.rtnl().links().delete(l.index()));
                    sandboxes.attach(h, sb.id(), ep, n, br, first);
                }
                first = false;
            }
        }
    }

    /** Makes sure the default network exists (created on first start). */
    void ensureDefaultNetwork() {
        engine.locked(() -> {
            StateSnapshot snap = engine.store().snapshot();
            if (snap.defaultNetwork().isPresent()) {
                Network d = snap.defaultNetwork().get();
                DaemonConfig c = engine.config();
                if (!d.bridge().equals(c.defaultBridge())
                        || (c.defaultSubnet() != null && !d.subnet().equals(Cidr.parse(c.defaultSubnet())))) {
                    LOG.warn("default network {} keeps bridge {} and subnet {} from the state; the flags ask for {} {}",
                            d.name(), d.bridge(), d.subnet(), c.defaultBridge(), c.defaultSubnet());
                }
                return null;
            }
            DaemonConfig c = engine.config();
            SubnetRequest req = c.defaultSubnet() == null ? SubnetRequest.any(DaemonConfig.DEFAULT_NETWORK)
                    : SubnetRequest.of(DaemonConfig.DEFAULT_NETWORK, Cidr.parse("default subnet", c.defaultSubnet()));
            engine.createNetworkLocked(req, c.defaultBridge(), false, true, true, Network.DEFAULT_MTU, true);
            return null;
        });
    }
}
