package io.nsnet.agent.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import io.nsnet.agent.api.ApiServer;
import io.nsnet.agent.api.ConnectRequest;
import io.nsnet.agent.api.NetworkCreateRequest;
import io.nsnet.agent.api.NsnetService;
import io.nsnet.agent.api.SandboxCreateRequest;
import io.nsnet.agent.cli.ApiClient;
import io.nsnet.agent.firewall.BackendChoice;
import io.nsnet.agent.firewall.FirewallApplier;
import io.nsnet.agent.firewall.NetnsIptablesExec;
import io.nsnet.agent.model.Validation;
import io.nsnet.agent.proxy.UserlandProxy;
import io.nsnet.agent.store.StateStore;
import io.nsnet.netns.NetNs;
import io.nsnet.rtnl.Rtnl;

/**
 * Before nsnetd serves, it runs its own request paths a few dozen times against a scratch copy of itself: a
 * throwaway "host" namespace, its own state directory and API socket, the same firewall backend. Networks and
 * sandboxes, with and without published ports, are created, listed, inspected and removed through the HTTP API,
 * and then the scratch namespace and state are deleted.
 *
 * <p>Why: the JVM interprets code until it has run often enough to compile it. Measured on a fresh daemon, the
 * first 20 sandbox creates with a published port took 11.8 ms each (median), against 4.8 ms once warm; every
 * first request after a restart paid that. Running the real paths end to end, kernel and fsync included, warms
 * exactly what requests use, with nothing faked.
 *
 * <p>Nothing here touches the real host namespace or state. Every name starts with the daemon's sandbox prefix,
 * so if nsnetd dies during the warm-up, reconcile at the next start removes the leftover namespaces as orphans.
 * The warm-up is bounded in time and never fails the start: any error is logged and serving begins.
 */
final class Warmup {
    private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
    /** MDC key of log events from the warm-up's scratch daemon; logback.xml filters them out. */
    static final String MDC_KEY = "nsnet.warmup";

    /** Rounds of creates and deletes; a bound on time keeps a slow machine from starting late. */
    private static final int ROUNDS = 30;
    private static final long BUDGET_NANOS = 2_000_000_000L;

    private final DaemonConfig real;
    private final BackendChoice backend;
    /** Rounds finished so far, for the log line whether or not the warm-up got through. */
    private int completed;

    /** @param backend the backend the daemon resolved, so the warm-up runs the same one */
    Warmup(DaemonConfig real, BackendChoice backend) {
        this.real = real;
        this.backend = backend;
    }

    /** Runs the warm-up; returns the rounds completed (0 if it could not run). Never throws. */
    int run() {
        byte[] random = new byte[3];
        new SecureRandom().nextBytes(random); // not generateSeed: that reads /dev/random, which may block at boot
        String tag = "w" + HexFormat.of().formatHex(random);
        String prefix = real.sandboxPrefix() + tag + "-";
        String hostName = real.sandboxPrefix() + tag + "h";
        try {
            Validation.sandboxPrefix(prefix);
        } catch (RuntimeException e) {
            LOG.info("warm-up skipped: the sandbox prefix leaves no room for its names ({})", e.getMessage());
            return 0;
        }
        long t0 = System.nanoTime();
        Path stateDir = real.stateDir().resolve("warmup");
        MDC.put(MDC_KEY, "1");
        Path socketDir = null;
        NetNs host = null;
        try {
            deleteTree(stateDir); // a previous warm-up's, if nsnetd died during it
            socketDir = Files.createTempDirectory("nsnetd-warmup");
            host = NetNs.create(hostName);
            runIn(host, new DaemonConfig(hostName, socketDir.resolve("api.sock"), stateDir,
                    real.chainPrefix(), "nsnetw0", null, prefix, real.userlandProxy(), backend), t0);
            MDC.remove(MDC_KEY);
            LOG.info("warm-up: {} rounds of requests in {} ms", completed, (System.nanoTime() - t0) / 1_000_000);
        } catch (Exception | LinkageError e) {
            MDC.remove(MDC_KEY);
            LOG.warn("warm-up stopped after {} rounds: {}", completed, e.toString());
        } finally {
            MDC.remove(MDC_KEY);
            cleanUp(host, hostName, prefix, stateDir, socketDir);
            giveBackMemory();
        }
        return completed;
    }

    /**
     * The scratch daemon is garbage now. A full collection lets the heap shrink back (bin/nsnetd starts it small
     * and caps its free share), and malloc_trim gives back the native memory its SQLite caches, thread stacks and
     * HTTP buffers held in glibc's arenas. Measured with 1000 networks, RSS after a restart: 143 MB without both,
     * 127 MB with them (130 MB without any warm-up). What stays is what real requests would have made anyway:
     * compiled code and loaded classes (native memory tracking: +8 MB and +2.5 MB at idle).
     */
    private static void giveBackMemory() {
        System.gc();
        try {
            io.nsnet.libc.Native.libc().malloc_trim(0);
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("malloc_trim unavailable: {}", e.toString());
        }
    }

    /**
     * The scratch engine, its calls marked for logback (logback.xml drops events under {@link #MDC_KEY}): the
     * journal should not fill with the creates and deletes of networks and sandboxes that never existed for users.
     * The mark is set on the API thread that serves each warm-up request.
     */
    private static NsnetService quiet(NsnetService engine) {
        return (NsnetService) java.lang.reflect.Proxy.newProxyInstance(NsnetService.class.getClassLoader(),
                new Class<?>[] {NsnetService.class}, (proxy, method, args) -> {
                    MDC.put(MDC_KEY, "1");
                    try {
                        return method.invoke(engine, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    } finally {
                        MDC.remove(MDC_KEY);
                    }
                });
    }

    private void runIn(NetNs host, DaemonConfig cfg, long t0) throws Exception {
        try (Rtnl rtnl = Rtnl.open(host); StateStore store = StateStore.open(cfg.stateDir());
             UserlandProxy proxy = new UserlandProxy(host)) {
            FirewallApplier firewall = FirewallApplier.create(host, new NetnsIptablesExec(host), cfg.firewallBackend(),
                    cfg.chainPrefix());
            try (Engine engine = new Engine(cfg, host, rtnl, store, firewall, proxy)) {
                Reconciler reconciler = new Reconciler(engine);
                reconciler.reconcile();
                reconciler.ensureDefaultNetwork();
                engine.prepare();
                ApiServer server = new ApiServer();
                server.start(cfg.socket(), quiet(engine));
                try (ApiClient api = ApiClient.open(cfg.socket())) {
                    rounds(api, t0);
                } finally {
                    server.stop();
                }
            }
        }
    }

    /**
     * The requests users make, in the mix the benchmarks time: plain sandboxes, sandboxes with a TCP and a UDP
     * port, connect and disconnect, list and inspect, and now and then a network (its removal waits for an RCU
     * grace period, ~20 ms, so not every round).
     */
    private void rounds(ApiClient api, long t0) {
        for (int i = 0; i < ROUNDS && System.nanoTime() - t0 < BUDGET_NANOS; i++) {
            boolean withNetwork = i % 6 == 0;
            String net = "n" + i;
            if (withNetwork) {
                api.createNetwork(new NetworkCreateRequest(net, null, null, null, null, null, null, null, null));
            }
            api.createSandbox(new SandboxCreateRequest("a" + i, withNetwork ? List.of(net) : null, null, null));
            int port = 20000 + i;
            api.createSandbox(new SandboxCreateRequest("p" + i, null, null, List.of(port + ":80", port + ":53/udp")));
            if (withNetwork) {
                api.connect(net, new ConnectRequest("p" + i, null));
                api.disconnect(net, new ConnectRequest("p" + i, null));
            }
            api.listNetworks();
            api.listSandboxes();
            api.inspectSandbox("p" + i);
            api.info();
            api.deleteSandbox("p" + i);
            api.deleteSandbox("a" + i);
            if (withNetwork) {
                api.inspectNetwork(net);
                api.deleteNetwork(net);
            }
            completed++;
        }
    }

    /** Deletes whatever the warm-up made: its sandboxes' namespaces, the scratch host (with its links and rules). */
    private static void cleanUp(NetNs host, String hostName, String prefix, Path stateDir, Path socketDir) {
        quietly("close scratch host", () -> {
            if (host != null) {
                host.close();
            }
        });
        for (String ns : NetNs.list()) {
            if (ns.startsWith(prefix) || ns.equals(hostName)) {
                quietly("delete " + ns, () -> NetNs.delete(ns));
            }
        }
        quietly("delete " + stateDir, () -> deleteTree(stateDir));
        if (socketDir != null) {
            Path dir = socketDir;
            quietly("delete " + dir, () -> deleteTree(dir));
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    /** Runs a clean-up step, logging rather than throwing: the daemon starts whatever the warm-up left. */
    private static void quietly(String what, Step step) {
        try {
            step.run();
        } catch (Exception e) {
            LOG.warn("warm-up: {} failed: {}", what, e.toString());
        }
    }
}
