package io.nsnet.agent.daemon;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.nsnet.agent.api.ConnectRequest;
import io.nsnet.agent.api.InfoView;
import io.nsnet.agent.api.NetworkCreateRequest;
import io.nsnet.agent.api.NetworkView;
import io.nsnet.agent.api.NsnetService;
import io.nsnet.agent.api.SandboxCreateRequest;
import io.nsnet.agent.api.SandboxView;
import io.nsnet.agent.firewall.FirewallApplier;
import io.nsnet.agent.firewall.FirewallState;
import io.nsnet.agent.firewall.Sysctl;
import io.nsnet.agent.ipam.AddressBook;
import io.nsnet.agent.ipam.SubnetAllocation;
import io.nsnet.agent.ipam.SubnetAllocator;
import io.nsnet.agent.ipam.SubnetRequest;
import io.nsnet.agent.model.Cidr;
import io.nsnet.agent.model.ConflictException;
import io.nsnet.agent.model.Endpoint;
import io.nsnet.agent.model.Ipv4;
import io.nsnet.agent.model.Names;
import io.nsnet.agent.model.Network;
import io.nsnet.agent.model.NotFoundException;
import io.nsnet.agent.model.ObjectState;
import io.nsnet.agent.model.PortMapping;
import io.nsnet.agent.model.Protocol;
import io.nsnet.agent.model.Sandbox;
import io.nsnet.agent.model.Validation;
import io.nsnet.agent.model.ValidationException;
import io.nsnet.agent.network.BridgeDriver;
import io.nsnet.agent.proxy.UserlandProxy;
import io.nsnet.agent.sandbox.SandboxDriver;
import io.nsnet.agent.store.AheadCommit;
import io.nsnet.agent.store.ReadTx;
import io.nsnet.agent.store.StateSnapshot;
import io.nsnet.agent.store.StateStore;
import io.nsnet.agent.store.Tx;
import io.nsnet.link.LinkRemover;
import io.nsnet.netlink.InFlight;
import io.nsnet.netlink.Nl;
import io.nsnet.netns.NetNs;
import io.nsnet.route.Route;
import io.nsnet.rtnl.Rtnl;
import io.nsnet.sched.SideThread;
import io.nsnet.sched.Spin;
import io.nsnet.sysctl.Sysctls;

/**
 * The daemon's core: networks and sandboxes kept in the store, the kernel and the firewall.
 *
 * <p>Every mutation runs under one lock and follows the store's intent protocol (see
 * {@link ObjectState}): the object is committed as {@code creating}/{@code deleting} (durable, and reserving
 * its names and addresses) before the kernel is touched, and as {@code ready}/removed after, and only then is
 * the caller answered. A failure part-way rolls the kernel back and removes the row, so a client's error
 * leaves nothing behind; a crash part-way is finished by {@link Reconciler} at the next start. The intent commit
 * is not fsync'd on its own ({@link StateStore#writeIntent}): the closing commit's fsync covers it, so each
 * operation waits for one fsync, not two. Network and sandbox creates wait for none after their kernel work: the
 * row is committed {@code ready} up front ({@link StateStore#writeAhead}), fsync'd while the bridge and rules or
 * the sandbox's links are made, and hidden from readers until answered; a crash before the answer leaves a ready
 * row that reconcile completes.
 */
public final class Engine implements NsnetService, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    public static final String VERSION = "0.1.0";

    private final DaemonConfig config;
    private final NetNs host;
    private final Rtnl hostRtnl;
    private final StateStore store;
    private final FirewallApplier firewall;
    private final BridgeDriver bridges;
    private final SandboxDriver sandboxes;
    private final LinkRemover remover;
    /** One half of a change's kernel work while the engine's thread does the other (see {@link #inParallel}). */
    private final SideThread sideWork = new SideThread("nsnet-side-work");
    private final UserlandProxy proxy;
    private final Sysctls hostSysctls;
    private final Names names = new Names(new SecureRandom());
    private final SubnetAllocator allocator = new SubnetAllocator();
    private final ReentrantLock lock = new ReentrantLock(true);
    /**
     * Networks committed {@code ready} ahead of their kernel work (see {@link StateStore#writeAhead}) and not yet
     * answered: readers skip them, so nobody sees a network before its creator is told it exists.
     */
    private final Set<String> pendingNetworks = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Sandboxes committed {@code ready} ahead of their kernel work and not yet answered; as above. */
    private final Set<String> pendingSandboxes = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** "key=value" of host sysctls already checked since the last full pass; guarded by {@link #lock}. */
    private final Set<String> sysctlsEnsured = new HashSet<>();

    public Engine(DaemonConfig config, NetNs host, Rtnl hostRtnl, StateStore store, FirewallApplier firewall,
            UserlandProxy proxy) {
        this.config = config;
        this.host = host;
        this.hostRtnl = hostRtnl;
        this.store = store;
        this.firewall = firewall;
        // Bridges and veths are deleted by it: they are gone when the kernel says so, not after its RCU wait.
        this.remover = new LinkRemover(host, 4);
        this.hostSysctls = new Sysctls(host);
        this.bridges = new BridgeDriver(hostRtnl, hostSysctls, remover);
        // Each spare namespace comes with its first veth made ahead, named as any sandbox's host end.
        this.sandboxes = new SandboxDriver(hostRtnl, host, remover, !config.userlandProxy(), names::newVethName);
        this.proxy = proxy;
    }

    DaemonConfig config() {
        return config;
    }

    StateStore store() {
        return store;
    }

    BridgeDriver bridges() {
        return bridges;
    }

    SandboxDriver sandboxes() {
        return sandboxes;
    }

    UserlandProxy proxy() {
        return proxy;
    }

    FirewallApplier firewall() {
        return firewall;
    }

    Rtnl hostRtnl() {
        return hostRtnl;
    }

    <T> T locked(java.util.function.Supplier<T> work) {
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- networks

    @Override
    public NetworkView createNetwork(NetworkCreateRequest r) {
        if (r == null) {
            throw new ValidationException("request body: a JSON object with at least \"name\" is required");
        }
        String name = Validation.networkName(r.name());
        if ("none".equals(name) || "host".equals(name)) {
            throw new ValidationException("network name \"" + name + "\": reserved (as in Docker)");
        }
        SubnetRequest subnetRequest = new SubnetRequest(name,
                Optional.ofNullable(r.subnet()).map(s -> Cidr.parse("subnet", s)),
                Optional.ofNullable(r.gateway()).map(g -> Ipv4.parse("gateway", g)),
                Optional.ofNullable(r.ipRange()).map(s -> Cidr.parse("ip-range", s)));
        int mtu = Validation.mtu(r.mtu() == null ? Network.DEFAULT_MTU : r.mtu());
        String bridgeName = r.bridgeName() == null ? null : Validation.interfaceName("bridge name", r.bridgeName());
        return locked(() -> {
            Network n = createNetworkLocked(subnetRequest, bridgeName, Boolean.TRUE.equals(r.internal()),
                    r.icc() == null || r.icc(), r.masquerade() == null || r.masquerade(), mtu, false);
            return Views.network(n, List.of());
        });
    }

    /** Creates a network under the lock; also used for the default network at start. */
    Network createNetworkLocked(SubnetRequest req, String bridgeName, boolean internal, boolean icc,
            boolean masquerade, int mtu, boolean isDefault) {
        // Host routes only matter when a subnet is picked from the pools (an explicit one is the user's choice).
        List<Cidr> routes = req.subnet().isPresent() ? List.of() : hostRoutes();
        AheadCommit<Network> ahead;
        try {
            ahead = store.writeAhead(tx -> recordNetwork(tx, req, bridgeName, internal, icc, masquerade, mtu,
                    isDefault, routes));
        } catch (RuntimeException e) {
            pendingNetworks.remove(req.networkName()); // if it got that far (mutations are serialised)
            throw e;
        }
        Network n = ahead.value();
        try {
            makeBridgeAndRules(n);
            ahead.awaitDurable();
        } catch (RuntimeException e) {
            LOG.error("creating network {} failed, rolling back: {}", n.name(), e.toString());
            Errors errors = new Errors();
            // Only if it is this network's: a create refused because the name was taken must not remove the link.
            errors.run("delete bridge " + n.bridge(), () -> bridges.deleteIfMarked(n));
            errors.run("forget network " + n.name(), () -> store.update(tx -> tx.deleteNetwork(n.name())));
            errors.run("firewall", () -> syncFirewall(List.of(firewallNetwork(n))));
            errors.logTo(LOG);
            throw e;
        } finally {
            pendingNetworks.remove(n.name());
        }
        LOG.info("network {} created: bridge {} subnet {} gateway {}", n.name(), n.bridge(), n.subnet(), n.gateway());
        return n;
    }

    /** The new network's row, committed ready ahead of its bridge and rules, and hidden from readers meanwhile. */
    private Network recordNetwork(Tx tx, SubnetRequest req, String bridgeName, boolean internal, boolean icc,
            boolean masquerade, int mtu, boolean isDefault, List<Cidr> routes) {
        if (tx.network(req.networkName()).isPresent()) {
            throw new ConflictException("network name \"" + req.networkName() + "\" is already in use");
        }
        // The overlap checks are the store's index lookups, not scans of all k networks (see NetworkIndex).
        SubnetAllocation a = allocator.allocate(req, tx::networkOverlapping, routes, tx.lastPoolIndex());
        String id = names.newId();
        String bridge = bridgeName != null ? bridgeName : Names.bridgeNameFor(id);
        if (bridgeName != null) {
            // A name of the user's choosing is checked here, for a clear refusal before anything is made. A
            // generated one (from a fresh random id) is left to the store's unique index and to the bridge's
            // exclusive create (BridgeDriver.create), which refuses a taken name just as well: at 1000
            // networks the scan and the kernel lookup were 0.1-0.15 ms of every create.
            tx.networks().stream().filter(o -> o.bridge().equals(bridge)).findFirst().ifPresent(o -> {
                throw new ConflictException("bridge name \"" + bridge + "\" is already used by network " + o.name());
            });
            bridges.checkNameFree(bridge, id);
        }
        Network created = new Network(req.networkName(), id, bridge, a.subnet(), a.gateway(), a.ipRange(),
                internal, icc, masquerade, mtu, tx.nextSequence(), Instant.now(), isDefault, ObjectState.READY);
        tx.insertNetwork(created);
        a.poolIndex().ifPresent(tx::setLastPoolIndex);
        // Hidden before the commit, not after: a reader taking a snapshot in between would see it.
        pendingNetworks.add(created.name());
        return created;
    }

    /**
     * The new network's bridge (rtnetlink, on the side thread) and its rules (on this thread) side by side: they are
     * independent kernel objects (rules name the bridge; they do not need it to exist), so a create costs the longer
     * of the two instead of their sum (timed in the daemon over 1000 creates: 2.9-3.2 -> 2.55 ms median for this
     * step). The sysctls come after both, since route_localnet is a setting of the bridge.
     */
    private void makeBridgeAndRules(Network n) {
        FirewallState state = firewallState();
        inParallel(() -> bridges.create(n), () -> applyRules(state, List.of(), false));
        ensureSysctls(state, false);
    }

    /**
     * Runs {@code side} on {@link #sideWork} and {@code here} on this thread, and waits for both, so that a rollback
     * never races the other half. Throws the first failure, with the other one suppressed.
     */
    private void inParallel(Runnable side, Runnable here) {
        Future<?> other = onSide(side);
        RuntimeException failure = null;
        try {
            here.run();
        } catch (RuntimeException e) {
            failure = e;
        }
        try {
            InFlight.await(other); // the kernel work is under way: its outcome decides the rollback
        } catch (RuntimeException e) {
            if (failure == null) {
                failure = e;
            } else {
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private List<Cidr> hostRoutes() {
        List<Cidr> out = new ArrayList<>();
        for (Route r : hostRtnl.routes().list(Nl.AF_INET)) {
            if (r.destination() != null && r.destination().prefixLength() > 0) {
                // From the address bytes, not through the user-input parser: with 1000 networks there are 1000+
                // routes per network create, and string round trips showed up in the daemon's profile.
                byte[] b = r.destination().address().getAddress();
                int prefix = r.destination().prefixLength();
                int bits = ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
                int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
                out.add(new Cidr(new Ipv4(bits & mask), prefix));
            }
        }
        return out;
    }

    @Override
    public void deleteNetwork(String name) {
        locked(() -> {
            Network n = store.writeIntent(tx -> {
                Network found = tx.requireNetwork(name);
                if (found.isDefault()) {
                    throw new ConflictException("network " + name + " is the default network and cannot be removed");
                }
                List<String> users = tx.sandboxesOn(name);
                if (!users.isEmpty()) {
                    throw new ConflictException("network " + name + " has sandboxes attached: " + String.join(", ", users)
                            + "; remove or disconnect them first");
                }
                tx.setNetworkState(name, ObjectState.DELETING);
                return found;
            });
            teardownNetwork(n);
            LOG.info("network {} removed", name);
            return null;
        });
    }

    /** Removes a network's rules and bridge, then its row. Used by delete and by reconcile. */
    void teardownNetwork(Network n) {
        syncFirewall(List.of(firewallNetwork(n)));
        bridges.delete(n.bridge());
        store.update(tx -> tx.deleteNetwork(n.name()));
    }

    @Override
    public List<NetworkView> listNetworks() {
        StateSnapshot snap = store.snapshot();
        // Sandboxes grouped by network once: matching every network against every sandbox made `network ls`
        // O(networks x sandboxes), ~1 s with 1000 of each.
        java.util.Map<String, List<Sandbox>> byNetwork = new java.util.HashMap<>();
        for (Sandbox s : snap.sandboxes()) {
            if (!visible(s)) {
                continue; // as the sandbox list: not one still being made, or being removed
            }
            for (Endpoint e : s.endpoints()) {
                byNetwork.computeIfAbsent(e.network(), k -> new ArrayList<>()).add(s);
            }
        }
        return snap.networks().stream().filter(this::visible)
                .map(n -> Views.network(n, byNetwork.getOrDefault(n.name(), List.of()))).toList();
    }

    @Override
    public NetworkView inspectNetwork(String name) {
        StateSnapshot snap = store.snapshot();
        Network n = snap.network(name).filter(this::visible)
                .orElseThrow(() -> new NotFoundException("network " + name + " not found"));
        return Views.network(n, snap.sandboxes().stream().filter(this::visible).toList());
    }

    // ---------------------------------------------------------------- sandboxes

    @Override
    public SandboxView createSandbox(SandboxCreateRequest r) {
        if (r == null) {
            throw new ValidationException("request body: a JSON object with at least \"name\" is required");
        }
        String netns = Names.netnsNameFor(config.sandboxPrefix(), r.name());
        List<String> nets = r.networks() == null ? List.of() : r.networks();
        if (nets.contains("none") && nets.size() > 1) {
            throw new ValidationException("networks: \"none\" cannot be combined with other networks");
        }
        if (new HashSet<>(nets).size() != nets.size()) {
            throw new ValidationException("networks: a network is listed twice");
        }
        List<PortMapping> ports = new ArrayList<>();
        for (String spec : r.ports() == null ? List.<String>of() : r.ports()) {
            ports.add(PortMapping.parse(spec));
        }
        Optional<Ipv4> ip = Optional.ofNullable(r.ip()).map(s -> Ipv4.parse("ip", s));
        SandboxView made = null;
        try {
            made = createSandboxLocked(r, netns, nets, ports, ip);
            return made;
        } finally {
            // After the operation, not during it (see prepareSpare): the next create gets a namespace ready-made.
            // Started from the side thread, which is kept off this thread's CPU: the namespace worker it wakes
            // preempted this thread in ~40% of attaches when woken from here (0.65-1.2 ms, ~1 ms of unshare and
            // loopback set-up) before the answer was written. The success is logged there too, while the answer
            // goes out: a log line is ~80 us of an attach on this thread (~4%), and this hand-off is made anyway.
            SandboxView logged = made;
            onSide(() -> {
                if (logged != null) {
                    LOG.info("sandbox {} created in netns {} on {}", logged.name(), logged.netns(),
                            logged.endpoints().stream().map(e -> e.network() + "=" + e.ip()).toList());
                }
                sandboxes.prepareSpare();
            });
        }
    }

    private SandboxView createSandboxLocked(SandboxCreateRequest r, String netns, List<String> nets,
            List<PortMapping> ports, Optional<Ipv4> ip) {
        // The networks read in the intent transaction, for the kernel work and the answer: reading them again
        // costs a read transaction each (they cannot change meanwhile: mutations hold the engine's lock). Filled on
        // the side thread, read here once its transaction is awaited.
        java.util.Map<String, Network> attached = new java.util.concurrent.ConcurrentHashMap<>();
        if (ports.isEmpty()) {
            return locked(() -> createWithoutPorts(r, netns, nets, ip, attached));
        }
        return locked(() -> {
            // The host ports are bound on the side thread ahead of the intent's queries, which need their outcome:
            // binding is ~0.2 ms of (cold) socket code per port.
            Future<?> binding = onSide(() -> bindHostPorts(ports));
            SandboxDriver.Handle h;
            try {
                h = sandboxes.take(netns);
            } catch (RuntimeException e) {
                releasePorts(ports, binding);
                throw e;
            }
            String id = names.newId();
            List<String> hostVeths = hostVethNames(h, nets);
            NewSandboxLinks links = new NewSandboxLinks(sandboxes, h, id, hostVeths, this::bridgeIndex);
            // The intent transaction runs on the side thread, after the binding, while this one plugs the veths (see
            // NewSandboxLinks), and is committed ready ahead of the kernel work: the store's sync thread makes it
            // durable while the addresses go in, the side thread makes the links and this one commits the rules.
            CompletableFuture<Sandbox> committed = new CompletableFuture<>();
            Function<Tx, Sandbox> intent = tx -> recordSandbox(tx, r, netns, nets, ports, ip, attached, binding, id,
                    CompletableFuture.completedFuture(hostVeths));
            Future<Runnable> recording = onSide(() -> {
                try {
                    AheadCommit<Sandbox> ahead = store.writeAhead(intent);
                    committed.complete(ahead.value());
                    return ahead::awaitDurable;
                } catch (RuntimeException | Error e) {
                    committed.completeExceptionally(e); // nothing if it was committed: the sync failed
                    throw e;
                }
            });
            try {
                plugHint(nets).ifPresent(links::plug);
            } catch (RuntimeException e) {
                // Plugged again once the transaction has said where; a failure that persists is reported then.
                LOG.debug("plugging sandbox {} ahead of its commit failed: {}", r.name(), e.toString());
            }
            Sandbox sb;
            try {
                // The commit is due about when the plugging ends (their paths are alike in length): spun for.
                Spin.untilDone(committed);
                sb = InFlight.await(committed);
            } catch (RuntimeException e) {
                releasePorts(ports, binding);
                pendingSandboxes.remove(r.name()); // if it got that far (mutations are serialised)
                links.abandon().logTo(LOG);
                throw e;
            }
            return makeSandbox(sb, attached, links, recording);
        });
    }

    /**
     * A create without published ports: its intent transaction, commit and fsync on this thread, its namespace and
     * links on the side thread (see {@link #makeLinks}). The transaction is the longer of the two halves before the
     * commit (~0.45 ms against ~0.3 ms for taking the namespace and plugging its veth onto a bridge it is already
     * on), and a thread woken for it started it ~0.1 ms late on this machine (a halted virtual CPU's wake-up):
     * here it starts at once, and the side thread's late start falls within its own slack. After the commit, the
     * fsync here overlaps the naming and addresses there. The side thread's failures before the commit, and the
     * transaction's, undo the links there and are reported as such; after it, the row is rolled back here.
     */
    private SandboxView createWithoutPorts(SandboxCreateRequest r, String netns, List<String> nets,
            Optional<Ipv4> ip, java.util.Map<String, Network> attached) {
        String id = names.newId();
        CompletableFuture<List<String>> vethNames = new CompletableFuture<>();
        CompletableFuture<Sandbox> committed = new CompletableFuture<>();
        Future<?> kernel = onSide(() -> {
            makeLinks(r.name(), netns, nets, id, vethNames, committed, attached);
            return null;
        });
        Sandbox sb;
        try {
            sb = store.writeThenSync(tx -> recordSandbox(tx, r, netns, nets, List.of(), ip, attached, null, id,
                    vethNames), committed::complete);
        } catch (RuntimeException | Error e) {
            if (!committed.isDone()) {
                committed.completeExceptionally(e); // refused before its commit: the side thread undoes the links
                awaitQuietly(kernel);
                pendingSandboxes.remove(r.name()); // if it got that far (mutations are serialised)
                throw e;
            }
            // Committed, and not made durable: undone as a create whose kernel work failed.
            Sandbox made = committed.join();
            awaitQuietly(kernel);
            try {
                throw rolledBack(made, e instanceof RuntimeException re ? re : new IllegalStateException(e));
            } finally {
                pendingSandboxes.remove(made.name());
            }
        }
        try {
            // The naming and addresses end about when the fsync does (their paths are alike in length): spun for.
            Spin.untilDone(kernel);
            InFlight.await(kernel);
            return Views.sandbox(sb, name -> Optional.ofNullable(attached.get(name)));
        } catch (RuntimeException e) {
            throw rolledBack(sb, e);
        } finally {
            pendingSandboxes.remove(sb.name());
        }
    }

    /**
     * The side thread's half of {@link #createWithoutPorts}: takes the namespace (which names the first veth, for the
     * transaction's rows), plugs the veths where the cached rows say, then, once the transaction has committed, plugs
     * them again if it found otherwise, names the namespace and puts the addresses in. If the transaction fails, the
     * links are undone here.
     */
    private void makeLinks(String sandbox, String netns, List<String> nets, String id,
            CompletableFuture<List<String>> vethNames, CompletableFuture<Sandbox> committed,
            java.util.Map<String, Network> attached) {
        SandboxDriver.Handle h;
        try {
            h = sandboxes.take(netns);
        } catch (RuntimeException | Error e) {
            vethNames.completeExceptionally(e); // the transaction fails with it
            throw e;
        }
        List<String> hostVeths = hostVethNames(h, nets);
        vethNames.complete(hostVeths);
        NewSandboxLinks links = new NewSandboxLinks(sandboxes, h, id, hostVeths, this::bridgeIndex);
        try {
            plugHint(nets).ifPresent(links::plug);
        } catch (RuntimeException e) {
            // Plugged again once the transaction has said where; a failure that persists is reported then.
            LOG.debug("plugging sandbox {} ahead of its commit failed: {}", sandbox, e.toString());
        }
        Sandbox sb;
        try {
            // The commit is due about when the plugging ends: spun for.
            Spin.untilDone(committed);
            sb = InFlight.await(committed);
        } catch (RuntimeException | Error e) {
            links.abandon().logTo(LOG);
            throw e;
        }
        try (links) {
            links.plug(NewSandboxLinks.networksOf(sb, attached)); // nothing to do when the cache was right
            // Named only now that its row is committed: a named namespace always has its row.
            links.handle().name();
            links.configure(sb, attached);
        }
    }

    /**
     * Hands {@code task} to {@link #sideWork} with this thread's logging context (MDC): what it logs is then marked
     * as what this thread logs (the warm-up's scratch daemon marks every line of its own, for logback to drop).
     */
    private <T> Future<T> onSide(java.util.concurrent.Callable<T> task) {
        java.util.Map<String, String> context = org.slf4j.MDC.getCopyOfContextMap();
        return sideWork.submit(() -> {
            if (context != null) {
                org.slf4j.MDC.setContextMap(context);
            }
            try {
                return task.call();
            } finally {
                org.slf4j.MDC.clear();
            }
        });
    }

    private Future<?> onSide(Runnable task) {
        return onSide(() -> {
            task.run();
            return null;
        });
    }

    /**
     * The host ends' names of a new sandbox's veths, one per network it asks for (the default network if none,
     * nothing for "none"). The first takes the name of the veth made ahead in its namespace, if it has one: it is
     * then plugged as it is (see SandboxDriver#plug).
     */
    private List<String> hostVethNames(SandboxDriver.Handle h, List<String> nets) {
        int count = nets.contains("none") ? 0 : Math.max(1, nets.size());
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(i == 0 ? h.vethAhead().orElseGet(names::newVethName) : names.newVethName());
        }
        return List.copyOf(out);
    }

    /** Waits for a task whose failure is already reported otherwise. */
    private static void awaitQuietly(Future<?> task) {
        try {
            InFlight.await(task);
        } catch (RuntimeException | Error alreadyReported) {
            // the caller reports its own
        }
    }

    /** Gives back the ports reserved for a create that failed before its commit, once their binding is done. */
    private void releasePorts(List<PortMapping> ports, Future<?> binding) {
        if (binding != null) {
            try {
                InFlight.await(binding);
            } catch (RuntimeException alreadyReported) {
                // the intent rethrew it, or failed first for a reason of its own
            }
        }
        ports.forEach(proxy::release);
    }

    /**
     * The networks a create names (or the default network), from the store's cached rows: what the veths are
     * plugged into before the transaction has confirmed them. Empty when the cache cannot say, or names a network
     * that is not ready: the transaction then decides, and the veths follow.
     */
    private Optional<List<Network>> plugHint(List<String> nets) {
        if (nets.contains("none")) {
            return Optional.of(List.of());
        }
        Optional<List<Network>> rows = store.cachedNetworks();
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        List<Network> out = new ArrayList<>();
        if (nets.isEmpty()) {
            rows.get().stream().filter(Network::isDefault).findFirst().ifPresent(out::add);
        } else {
            for (String name : nets) {
                rows.get().stream().filter(n -> n.name().equals(name)).findFirst().ifPresent(out::add);
            }
        }
        boolean usable = out.size() == Math.max(1, nets.size())
                && out.stream().allMatch(n -> n.state() == ObjectState.READY);
        return usable ? Optional.of(out) : Optional.empty();
    }

    /**
     * The meta key naming the last sandbox committed {@code ready} ahead of its kernel work: after a crash, the one
     * sandbox whose links may be half made (mutations are serialised), which reconcile checks inside its namespace.
     */
    static final String META_SANDBOX_AHEAD = "sandbox.committed-ahead";

    /**
     * The intent transaction of a sandbox create: the new sandbox {@code ready}, names, addresses and host ports
     * checked and reserved, committed ahead of its kernel work (see {@link StateStore#writeAhead} and
     * {@link StateStore#writeThenSync}): the fsync runs while the links are made, and no second
     * commit follows. It used to be committed {@code creating} and then {@code ready} after the kernel work, the
     * second commit with its fsync after everything else (~0.45 ms per attach on the test machine; paired, the
     * ahead commit made attaches 0.89-0.94 of that, with the sync thread kept off this thread's CPU). Readers skip
     * it until it is answered ({@link #pendingSandboxes}); a crash before that leaves a ready row that reconcile
     * completes (see {@link Reconciler}), as for a network.
     */
    private Sandbox recordSandbox(Tx tx, SandboxCreateRequest r, String netns, List<String> nets,
            List<PortMapping> ports, Optional<Ipv4> ip, java.util.Map<String, Network> attached, Future<?> binding,
            String id, Future<List<String>> vethNames) {
        // A taken name is refused by the sandbox's insert (SqlTx#insertSandbox), which looks the holder up only
        // then: a lookup here cost a statement on every create. Except when the name's namespace exists, which
        // is normally because its sandbox does: that is the error to report, not the namespace.
        if (sandboxes.exists(netns)) {
            if (tx.sandbox(r.name()).isPresent()) {
                throw new ConflictException("sandbox name \"" + r.name() + "\" is already in use");
            }
            throw new ConflictException("network namespace " + netns + " already exists on the host");
        }
        List<Network> attach = new ArrayList<>();
        if (nets.isEmpty()) {
            attach.add(tx.defaultNetwork().orElseThrow(() -> new ConflictException("no default network")));
        } else if (!nets.contains("none")) {
            for (String netName : nets) {
                attach.add(readyNetwork(tx.requireNetwork(netName)));
            }
        }
        if (attach.isEmpty() && (ip.isPresent() || !ports.isEmpty())) {
            throw new ValidationException((ip.isPresent() ? "ip" : "ports")
                    + ": a sandbox on no network has no address to use");
        }
        // Both checks used to load every sandbox with its endpoints and ports (twice per create, growing
        // with N); the port check only needs them when ports are asked for, IPAM only the network's addresses.
        if (!ports.isEmpty()) {
            checkPortsFree(ports, tx, binding);
        }
        List<Endpoint> eps = new ArrayList<>();
        // Named by the namespace taken meanwhile on another thread, for a create without ports (see makeLinks).
        List<String> hostVeths = attach.isEmpty() ? List.of() : InFlight.await(vethNames);
        for (int i = 0; i < attach.size(); i++) {
            Network n = attach.get(i);
            AddressBook book = AddressBook.of(n, tx.addressesOn(n.name()),
                    tx.firstFreeAddress(n.name()).orElse(null));
            Ipv4 addr = i == 0 && ip.isPresent()
                    ? book.reserve(Validation.staticAddress(n, ip.get()), r.name())
                    : book.allocate(r.name());
            eps.add(Endpoint.create(n.name(), "eth" + i, hostVeths.get(i), addr).withState(ObjectState.READY));
        }
        Sandbox created = new Sandbox(r.name(), id, netns, eps, ports, tx.nextSequence(),
                Instant.now(), ObjectState.READY);
        tx.insertSandbox(created);
        tx.putMeta(META_SANDBOX_AHEAD, created.name());
        attach.forEach(n -> attached.put(n.name(), n));
        // Hidden before the commit, not after: a reader taking a snapshot in between would see it.
        pendingSandboxes.add(created.name());
        return created;
    }

    /**
     * The kernel side of a sandbox committed ahead, its namespace being named and its veths plugged (see
     * {@link NewSandboxLinks}); rolled back (links, rules and row) on failure.
     */
    private SandboxView makeSandbox(Sandbox sb, java.util.Map<String, Network> attached,
            NewSandboxLinks links, Future<Runnable> recording) {
        try {
            try (links) {
                links.plug(NewSandboxLinks.networksOf(sb, attached)); // nothing to do when the cache was right
                // Named only now that its row is committed: a named namespace always has its row.
                links.handle().name();
                // Only published ports put a sandbox into the ruleset (and no sysctl depends on sandboxes): a sandbox
                // without ports skips the firewall's full state read, generation and diff. With ports, the rules
                // (which name the sandbox's address, not its links) are committed while the addresses go in.
                if (sb.ports().isEmpty()) {
                    links.configure(sb, attached);
                } else {
                    inParallel(() -> {
                        links.configure(sb, attached);
                        publishPorts(sb);
                    }, () -> syncFirewall(List.of()));
                }
            }
            // The answer is made while the commit's sync runs (nothing is sent before it is on disk).
            SandboxView view = Views.sandbox(sb, name -> Optional.ofNullable(attached.get(name)));
            Spin.untilDone(recording); // its fsync, running since the commit, ends about now
            InFlight.await(recording).run(); // the commit is on disk
            return view;
        } catch (RuntimeException e) {
            throw rolledBack(sb, e);
        } finally {
            pendingSandboxes.remove(sb.name());
        }
    }

    /** Undoes a create whose row was committed and whose kernel work (or fsync) failed; returns {@code e} to throw. */
    private RuntimeException rolledBack(Sandbox sb, RuntimeException e) {
        LOG.error("creating sandbox {} failed, rolling back: {}", sb.name(), e.toString());
        Errors errors = new Errors();
        // Marked deleting first, as a delete does: a crash during the rollback then finishes the removal at
        // the next start instead of completing a sandbox whose creator was told it failed.
        errors.run("mark sandbox " + sb.name() + " deleting", () -> store.writeIntent(tx -> {
            tx.setSandboxState(sb.name(), ObjectState.DELETING);
            return null;
        }));
        errors.addAll(teardownSandboxKernel(sb));
        errors.run("forget sandbox " + sb.name(), () -> store.update(tx -> tx.deleteSandbox(sb.name())));
        errors.run("firewall", () -> syncFirewall(List.of()));
        errors.logTo(LOG);
        return e;
    }

    private static Network readyNetwork(Network n) {
        if (n.state() != ObjectState.READY) {
            throw new ConflictException("network " + n.name() + " is being " + (n.state() == ObjectState.CREATING
                    ? "created" : "removed"));
        }
        return n;
    }

    /**
     * Refuses host ports held by another sandbox (naming it) or, as {@code binding} finds, by anything else on the
     * host.
     */
    private void checkPortsFree(List<PortMapping> ports, ReadTx tx, Future<?> binding) {
        for (PortMapping p : ports) {
            // Only the stored ports on the same host port: loading every sandbox made this grow with N.
            tx.portHolder(p).ifPresent(h -> {
                throw new ConflictException("host port " + p.toSpec().split(":(?=[^:]*$)")[0]
                        + " is already published by sandbox " + h.sandbox());
            });
        }
        InFlight.await(binding);
    }

    /** Binds each host port, or fails naming the first that something holds (our own published ones pass). */
    private void bindHostPorts(List<PortMapping> ports) {
        for (PortMapping p : ports) {
            if (config.userlandProxy()) {
                proxy.reserve(p); // the socket the proxy will then serve on (released if the create fails)
            } else {
                proxy.checkFree(p);
            }
        }
    }

    /** Namespace, endpoints (eth0 gets the default route) and published ports of a sandbox. */
    void buildSandbox(Sandbox sb) {
        buildSandbox(sb, store::network);
    }

    private void buildSandbox(Sandbox sb, java.util.function.Function<String, Optional<Network>> networks) {
        try (SandboxDriver.Handle h = sandboxes.create(sb.netns())) {
            attachAll(h, sb, networks);
        }
        publishPorts(sb);
    }

    /** The sandbox's endpoints in its namespace; eth0 gets the default route. */
    private void attachAll(SandboxDriver.Handle h, Sandbox sb,
            java.util.function.Function<String, Optional<Network>> networks) {
        boolean first = true;
        for (Endpoint e : sb.endpoints()) {
            Network n = networks.apply(e.network()).orElseThrow();
            sandboxes.attach(h, sb.id(), e, n, bridgeIndex(n), first);
            first = false;
        }
    }

    int bridgeIndex(Network n) {
        return hostRtnl.links().get(n.bridge()).index();
    }

    void publishPorts(Sandbox sb) {
        if (!config.userlandProxy()) {
            return;
        }
        Optional<Endpoint> primary = sb.primaryEndpoint();
        if (primary.isEmpty()) {
            return;
        }
        for (PortMapping p : sb.ports()) {
            proxy.publish(p, primary.get().ip());
        }
    }

    /** Removes everything a sandbox has in the kernel; every step is tried, failures are collected. */
    Errors teardownSandboxKernel(Sandbox sb) {
        Errors errors = new Errors();
        for (PortMapping p : sb.ports()) {
            errors.run("unpublish " + p.toSpec(), () -> proxy.unpublish(p));
        }
        // Deleting the host ends first makes the removal synchronous: a namespace's own teardown is deferred
        // by the kernel, and the veths would linger on the bridge for a moment.
        for (Endpoint e : sb.endpoints()) {
            errors.run("delete veth " + e.hostVeth(), () -> sandboxes.detach(e.hostVeth()));
        }
        errors.run("delete netns " + sb.netns(), () -> sandboxes.delete(sb.netns()));
        return errors;
    }

    @Override
    public void deleteSandbox(String name) {
        locked(() -> {
            Sandbox sb = store.writeIntent(tx -> {
                Sandbox found = tx.requireSandbox(name);
                tx.setSandboxState(name, ObjectState.DELETING);
                return found;
            });
            teardownSandbox(sb);
            LOG.info("sandbox {} removed", name);
            return null;
        });
    }

    /** Rules first (so no rule points at a vanished address), then the kernel objects, then the row. */
    void teardownSandbox(Sandbox sb) {
        Errors errors = new Errors();
        if (!sb.ports().isEmpty()) { // a sandbox without ports has no rules to remove
            errors.run("firewall", () -> syncFirewall(List.of()));
        }
        errors.addAll(teardownSandboxKernel(sb));
        errors.throwIfAny("removing sandbox " + sb.name());
        store.update(tx -> tx.deleteSandbox(sb.name()));
    }

    @Override
    public List<SandboxView> listSandboxes() {
        StateSnapshot snap = store.snapshot();
        return snap.sandboxes().stream().filter(this::visible).map(s -> Views.sandbox(s, snap)).toList();
    }

    @Override
    public SandboxView inspectSandbox(String name) {
        StateSnapshot snap = store.snapshot();
        Sandbox s = snap.sandbox(name).filter(this::visible)
                .orElseThrow(() -> new NotFoundException("sandbox " + name + " not found"));
        return Views.sandbox(s, snap);
    }

    // ---------------------------------------------------------------- connect / disconnect

    @Override
    public SandboxView connect(String network, ConnectRequest r) {
        if (r == null || r.sandbox() == null) {
            throw new ValidationException("sandbox: required, e.g. {\"sandbox\": \"web\"}");
        }
        Optional<Ipv4> ip = Optional.ofNullable(r.ip()).map(s -> Ipv4.parse("ip", s));
        return locked(() -> {
            Object[] made = store.writeIntent(tx -> {
                Sandbox sb = tx.requireSandbox(r.sandbox());
                Network n = readyNetwork(tx.requireNetwork(network));
                if (sb.state() != ObjectState.READY) {
                    throw new ConflictException("sandbox " + sb.name() + " is being created or removed");
                }
                if (sb.endpoint(network).isPresent()) {
                    throw new ConflictException("sandbox " + sb.name() + " is already connected to network " + network);
                }
                AddressBook book = AddressBook.of(n, tx.addressesOn(n.name()),
                        tx.firstFreeAddress(n.name()).orElse(null));
                Ipv4 addr = ip.isPresent() ? book.reserve(Validation.staticAddress(n, ip.get()), sb.name())
                        : book.allocate(sb.name());
                Endpoint e = Endpoint.create(n.name(), sb.nextInterfaceName(), names.newVethName(), addr);
                tx.insertEndpoint(sb.name(), e);
                return new Object[] {sb, n, e};
            });
            Sandbox sb = (Sandbox) made[0];
            Network n = (Network) made[1];
            Endpoint e = (Endpoint) made[2];
            boolean first = sb.endpoints().isEmpty();
            try (SandboxDriver.Handle h = sandboxes.open(sb.netns())) {
                sandboxes.attach(h, sb.id(), e, n, bridgeIndex(n), first);
                if (first) {
                    publishPorts(sb.withEndpoint(e));
                }
                syncFirewall(List.of());
            } catch (RuntimeException ex) {
                Errors errors = new Errors();
                errors.run("delete veth " + e.hostVeth(), () -> sandboxes.detach(e.hostVeth()));
                errors.run("forget endpoint", () -> store.update(tx -> tx.deleteEndpoint(sb.name(), network)));
                errors.run("firewall", () -> syncFirewall(List.of()));
                errors.logTo(LOG);
                throw ex;
            }
            store.update(tx -> tx.setEndpointState(sb.name(), network, ObjectState.READY));
            LOG.info("sandbox {} connected to {} as {} {}", sb.name(), network, e.ifname(), e.ip());
            return Views.sandbox(store.sandbox(sb.name()).orElseThrow(), store.snapshot());
        });
    }

    @Override
    public SandboxView disconnect(String network, ConnectRequest r) {
        if (r == null || r.sandbox() == null) {
            throw new ValidationException("sandbox: required, e.g. {\"sandbox\": \"web\"}");
        }
        return locked(() -> {
            Object[] found = store.writeIntent(tx -> {
                Sandbox sb = tx.requireSandbox(r.sandbox());
                tx.requireNetwork(network);
                Endpoint e = sb.endpoint(network).orElseThrow(() -> new NotFoundException(
                        "sandbox " + sb.name() + " is not connected to network " + network));
                tx.setEndpointState(sb.name(), network, ObjectState.DELETING);
                return new Object[] {sb, e};
            });
            Sandbox sb = (Sandbox) found[0];
            Endpoint e = (Endpoint) found[1];
            boolean wasPrimary = sb.primaryEndpoint().map(p -> p.network().equals(network)).orElse(false);
            Errors errors = new Errors();
            if (wasPrimary) {
                sb.ports().forEach(p -> errors.run("unpublish " + p.toSpec(), () -> proxy.unpublish(p)));
            }
            errors.run("delete veth " + e.hostVeth(), () -> sandboxes.detach(e.hostVeth()));
            errors.throwIfAny("disconnecting " + sb.name() + " from " + network);
            store.update(tx -> tx.deleteEndpoint(sb.name(), network));
            Sandbox after = store.sandbox(sb.name()).orElseThrow();
            if (wasPrimary) {
                publishPorts(after);
            }
            syncFirewall(List.of());
            LOG.info("sandbox {} disconnected from {}", sb.name(), network);
            return Views.sandbox(after, store.snapshot());
        });
    }

    // ---------------------------------------------------------------- firewall

    /**
     * The firewall's record of each stored network, by the identity of the row object: the store hands back
     * the same objects while a network is unchanged (its cached rows), so at 1000 networks a change converts
     * one network instead of validating and parsing 1000 again.
     */
    private final Map<Network, FirewallState.Network> firewallNetworks = new IdentityHashMap<>();

    /** The firewall's view of the stored state: everything not being deleted. */
    FirewallState firewallState() {
        // Only sandboxes that publish ports matter to the ruleset; loading all of them (with endpoints) on every
        // network create and delete made those grow with the number of sandboxes.
        // Both reads see the same state: every change is made under the engine's lock, which the caller holds.
        List<Sandbox> published = store.sandboxesWithPorts();
        StateSnapshot snap = store.read(tx -> new StateSnapshot(tx.networks(), published, tx.lastPoolIndex()));
        List<FirewallState.Network> nets = new ArrayList<>(snap.networks().size());
        synchronized (firewallNetworks) {
            // Looked up in place rather than copied and refilled: at 1000 networks rebuilding the map on every
            // call was 0.3 ms of each create. Rows replaced since (a state change makes a new row object) are
            // left behind until they outnumber the current ones a little, then the map is rebuilt once.
            for (Network n : snap.networks()) {
                if (n.state() != ObjectState.DELETING) {
                    nets.add(firewallNetworks.computeIfAbsent(n, Engine::firewallNetwork));
                }
            }
            sweep(firewallNetworks, snap.networks(), n -> n);
        }
        return new FirewallState(config.chainPrefix(), config.userlandProxy(), nets, publishedEndpoints(snap));
    }

    /** How many records of replaced or removed rows {@link #firewallNetworks} and {@link #firewallEndpoints} keep. */
    private static final int STALE_FIREWALL_RECORDS = 64;

    /**
     * Drops the records whose rows are gone, once there are more than {@link #STALE_FIREWALL_RECORDS} of them: one
     * pass now and then instead of a rebuild on every change.
     */
    private static <K, V, R> void sweep(Map<K, V> records, List<R> rows, java.util.function.Function<R, K> key) {
        if (records.size() <= rows.size() + STALE_FIREWALL_RECORDS) {
            return;
        }
        Map<K, V> current = records instanceof IdentityHashMap ? new IdentityHashMap<>() : new HashMap<>();
        for (R row : rows) {
            V v = records.get(key.apply(row));
            if (v != null) {
                current.put(key.apply(row), v);
            }
        }
        records.clear();
        records.putAll(current);
    }

    /** A sandbox's firewall record, and what it was made from: its ports (by identity), address and bridge. */
    private record FirewallEndpoint(List<PortMapping> ports, Ipv4 ip, String bridge, FirewallState.Endpoint record) {
        boolean madeFrom(List<PortMapping> p, Ipv4 address, String br) {
            return ports == p && (ip == address || ip.equals(address)) && bridge.equals(br);
        }
    }

    /**
     * The firewall's record of each sandbox with published ports, by name, kept while the sandbox's ports (the
     * same list object: the store's rows keep it through state changes), address and bridge stay. Each attach
     * with a port converted every published sandbox again, looking its network up by a scan of all networks: 1.4
     * ms of an attach at ~400 published sandboxes. Keeping the records the same objects also lets the generator
     * extend its port rules instead of remaking them ({@link io.nsnet.agent.firewall.RuleMemo}).
     */
    private final Map<String, FirewallEndpoint> firewallEndpoints = new HashMap<>();

    /** The endpoints with published ports: each such sandbox's first endpoint on a network not being removed. */
    private List<FirewallState.Endpoint> publishedEndpoints(StateSnapshot snap) {
        if (snap.sandboxes().isEmpty()) {
            return List.of();
        }
        Map<String, Network> live = new HashMap<>();
        for (Network n : snap.networks()) {
            if (n.state() != ObjectState.DELETING) {
                live.put(n.name(), n);
            }
        }
        List<FirewallState.Endpoint> eps = new ArrayList<>(snap.sandboxes().size());
        synchronized (firewallEndpoints) {
            for (Sandbox s : snap.sandboxes()) {
                if (s.state() == ObjectState.DELETING || s.ports().isEmpty()) {
                    continue;
                }
                for (Endpoint e : s.endpoints()) {
                    Network n = e.state() == ObjectState.DELETING ? null : live.get(e.network());
                    if (n == null) {
                        continue;
                    }
                    FirewallEndpoint known = firewallEndpoints.get(s.name());
                    if (known == null || !known.madeFrom(s.ports(), e.ip(), n.bridge())) {
                        known = new FirewallEndpoint(s.ports(), e.ip(), n.bridge(), new FirewallState.Endpoint(
                                e.ip().toString(), n.bridge(), s.ports().stream().map(Engine::firewallPort).toList()));
                        firewallEndpoints.put(s.name(), known);
                    }
                    eps.add(known.record());
                    break;
                }
            }
            sweep(firewallEndpoints, snap.sandboxes(), Sandbox::name);
        }
        return eps;
    }

    static FirewallState.Network firewallNetwork(Network n) {
        return new FirewallState.Network(n.bridge(), n.subnet().toString(), n.internal(), n.icc(), n.masquerade());
    }

    private static FirewallState.PublishedPort firewallPort(PortMapping p) {
        return new FirewallState.PublishedPort(p.hostIp().map(Ipv4::toString).orElse(null), p.hostPort(),
                p.containerPort(), p.protocol() == Protocol.TCP ? FirewallState.Protocol.TCP : FirewallState.Protocol.UDP);
    }

    /** Brings rules and the sysctls they need in line with the store; {@code retired}: networks just removed. */
    void syncFirewall(List<FirewallState.Network> retired) {
        syncFirewall(retired, !retired.isEmpty());
    }

    /**
     * @param readLive diff against the live ruleset (start-up, removals) rather than against what this
     *                 daemon last committed (the hot path: no iptables-save)
     */
    void syncFirewall(List<FirewallState.Network> retired, boolean readLive) {
        FirewallState state = firewallState();
        ensureSysctls(state, readLive);
        applyRules(state, retired, readLive);
    }

    /** @param recheckAll check every sysctl again, not only those not yet seen set */
    private void ensureSysctls(FirewallState state, boolean recheckAll) {
        if (recheckAll) {
            // Start-up and removals check every sysctl again (a removed bridge takes its settings with it,
            // and a bridge of the same name made later starts from the kernel's defaults).
            sysctlsEnsured.clear();
        }
        if (!sysctlsEnsured.contains(IP_FORWARD + "=1")) {
            enableForwarding();
            sysctlsEnsured.add(IP_FORWARD + "=1");
        }
        for (Sysctl s : Sysctl.required(state)) {
            // Each check is a hand-off to a thread in the host namespace: on the hot path only new keys (the
            // new bridge's route_localnet) are checked, not one per existing network.
            if (s.key().equals(IP_FORWARD) || sysctlsEnsured.contains(s.key() + "=" + s.value())) {
                continue;
            }
            try {
                hostSysctls.ensure(s.key(), s.value());
            } catch (Sysctls.SysctlException e) {
                if (!s.optional()) {
                    throw e;
                }
            }
            sysctlsEnsured.add(s.key() + "=" + s.value());
        }
    }

    private void applyRules(FirewallState state, List<FirewallState.Network> retired, boolean readLive) {
        if (readLive) {
            firewall.apply(state, retired);
        } else {
            firewall.applyIncremental(state);
        }
    }

    private static final String IP_FORWARD = "net.ipv4.ip_forward";
    private static final String META_FORWARDING = "host.forwarding-enabled-by-nsnet";

    /**
     * Turns on routing in the host namespace. As dockerd does, when nsnet is the one that turns it on it also
     * sets the FORWARD policy to DROP, so the host forwards only what the rules accept instead of becoming an
     * open router; both are recorded so that {@code --purge} can put them back.
     */
    private void enableForwarding() {
        String old = hostSysctls.ensure(IP_FORWARD, "1");
        if ("0".equals(old)) {
            setForwardPolicy("DROP");
            store.update(tx -> tx.putMeta(META_FORWARDING, "1"));
            LOG.info("enabled ip_forward in the host namespace and set the FORWARD policy to DROP");
        }
    }

    /** Undoes {@link #enableForwarding} if nsnet did it. */
    void restoreForwarding() {
        if ("1".equals(store.read(tx -> tx.meta(META_FORWARDING)).orElse(""))) {
            setForwardPolicy("ACCEPT");
            hostSysctls.set(IP_FORWARD, "0");
            store.update(tx -> tx.putMeta(META_FORWARDING, ""));
            LOG.info("restored ip_forward=0 and the FORWARD policy ACCEPT in the host namespace");
        }
    }

    private void setForwardPolicy(String policy) {
        // Through the applier, so the libiptc backend sets it in-process like everything else.
        firewall.setFilterPolicy("FORWARD", policy);
    }

    // ---------------------------------------------------------------- info

    @Override
    public InfoView info() {
        StateSnapshot snap = store.snapshot();
        return new InfoView(VERSION, firewall.backendName(),
                config.chainPrefix(), config.hostNetns() == null ? "" : config.hostNetns(),
                snap.defaultNetwork().map(Network::name).orElse(""), config.userlandProxy(), config.sandboxPrefix(),
                config.socket().toString(), config.stateDir().toString(),
                (int) snap.networks().stream().filter(this::visible).count(),
                (int) snap.sandboxes().stream().filter(this::visible).count());
    }

    /** Ready and answered: what readers are shown. */
    private boolean visible(Network n) {
        return n.state() == ObjectState.READY && !pendingNetworks.contains(n.name());
    }

    private boolean visible(Sandbox s) {
        return s.state() == ObjectState.READY && !pendingSandboxes.contains(s.name());
    }

    NetNs host() {
        return host;
    }

    /** Starts the work done ahead of requests (a spare sandbox namespace); after reconcile, before serving. */
    void prepare() {
        sandboxes.prepareSpare();
    }

    /** Releases what the engine holds beyond the objects it was given (the spare namespace). */
    @Override
    public void close() {
        sideWork.steeringRefused().ifPresent(why -> LOG.info("the side thread was not kept off the request's CPU: {}",
                why));
        sideWork.close();
        sandboxes.close();
        remover.close();
    }
}
