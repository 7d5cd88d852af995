package io.nsnet.agent.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.nsnet.agent.firewall.BackendChoice;
import io.nsnet.agent.firewall.FirewallApplier;
import io.nsnet.agent.firewall.NetnsIptablesExec;
import io.nsnet.agent.proxy.UserlandProxy;
import io.nsnet.agent.store.StateStore;
import io.nsnet.netns.NetNs;
import io.nsnet.rtnl.Rtnl;
import io.nsnet.systemd.SdNotify;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * nsnetd: owns the host's bridge networking. Starts, reconciles the kernel with its state, serves the API on
 * a Unix socket, tells systemd READY=1, and on SIGTERM stops serving and leaves networks and sandboxes in place
 * (as dockerd does with live-restore): the next start picks them up.
 */
@Command(name = "nsnetd", mixinStandardHelpOptions = true, version = "nsnetd " + Engine.VERSION,
        description = "Docker-grade bridge networking for Linux network namespaces.")
public final class Nsnetd implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(Nsnetd.class);
    public static final Path DEFAULT_CONFIG = Path.of("/etc/nsnet/nsnetd.json");

    @Option(names = "--config", description = "JSON config file with the same keys as the flags (default ${DEFAULT-VALUE} if present)")
    Path configFile;

    @Option(names = "--host-netns", description = "named namespace to treat as the host (default: the one nsnetd runs in)")
    String hostNetns;

    @Option(names = "--socket", description = "API socket (default /run/nsnet/nsnetd.sock)")
    Path socket;

    @Option(names = "--state-dir", description = "state directory (default /var/lib/nsnet)")
    Path stateDir;

    @Option(names = "--chain-prefix", description = "iptables chain prefix (default NSNET)")
    String chainPrefix;

    @Option(names = "--default-bridge", description = "bridge of the default network (default nsnet0)")
    String defaultBridge;

    @Option(names = "--default-subnet", description = "subnet of the default network (default: the first free pool)")
    String defaultSubnet;

    @Option(names = "--sandbox-prefix", description = "namespace name prefix of sandboxes (default nsnet-)")
    String sandboxPrefix;

    @Option(names = "--userland-proxy", arity = "1", description = "true|false (default true)")
    Boolean userlandProxy;

    @Option(names = "--firewall-backend", description = "auto|nft|legacy|libiptc (default auto)")
    String firewallBackend;

    @Option(names = "--warmup", arity = "1", description = "true|false: run the request paths on a scratch namespace "
            + "before serving, so the first requests are not slowed by the JIT (default true)")
    Boolean warmup;

    /** --warmup over the config file's "warmup" over true; set by {@link #config}. */
    private boolean warmupWanted = true;

    @Option(names = "--purge", description = "remove every sandbox, network, rule and chain nsnet made, and its state; then exit")
    boolean purge;

    public static void main(String[] args) {
        int rc = new CommandLine(new Nsnetd()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            // nsnet's own errors and I/O errors explain themselves (a missing namespace, no iptables, a locked
            // state directory, a socket in use): one line. Anything else is a bug and keeps its stack trace.
            boolean explained = e instanceof IOException || e.getClass().getName().startsWith("io.nsnet.");
            if (explained) {
                LOG.error("nsnetd cannot start: {}", e.getMessage());
            } else {
                LOG.error("nsnetd failed", e);
            }
            return 1;
        }).execute(args);
        if (rc != 0) {
            System.exit(rc);
        }
    }

    /** Flags over the config file over the defaults. */
    DaemonConfig config() throws IOException {
        DaemonConfig d = DaemonConfig.defaults();
        Map<String, Object> file = Map.of();
        Path cf = configFile != null ? configFile : (Files.exists(DEFAULT_CONFIG) ? DEFAULT_CONFIG : null);
        if (cf != null) {
            ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
            file = json.readValue(cf.toFile(), json.getTypeFactory().constructMapType(Map.class, String.class, Object.class));
            for (String key : file.keySet()) {
                if (!List.of("host-netns", "socket", "state-dir", "chain-prefix", "default-bridge", "default-subnet",
                        "sandbox-prefix", "userland-proxy", "firewall-backend", "warmup").contains(key)) {
                    throw new IllegalArgumentException("config " + cf + ": unknown key \"" + key + "\"");
                }
            }
        }
        warmupWanted = bool("warmup", pick(warmup == null ? null : warmup.toString(), file.get("warmup"), "true"));
        return new DaemonConfig(
                pick(hostNetns, file.get("host-netns"), d.hostNetns()),
                Path.of(pick(socket == null ? null : socket.toString(), file.get("socket"), d.socket().toString())),
                Path.of(pick(stateDir == null ? null : stateDir.toString(), file.get("state-dir"), d.stateDir().toString())),
                pick(chainPrefix, file.get("chain-prefix"), d.chainPrefix()),
                pick(defaultBridge, file.get("default-bridge"), d.defaultBridge()),
                pick(defaultSubnet, file.get("default-subnet"), d.defaultSubnet()),
                pick(sandboxPrefix, file.get("sandbox-prefix"), d.sandboxPrefix()),
                bool("userland-proxy", pick(userlandProxy == null ? null : userlandProxy.toString(),
                        file.get("userland-proxy"), String.valueOf(d.userlandProxy()))),
                BackendChoice.parse(pick(firewallBackend, file.get("firewall-backend"), d.firewallBackend().name())));
    }

    /** true or false, any case; anything else (a config file's "yes", "flase") is refused, not read as false. */
    private static boolean bool(String key, String value) {
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        throw new IllegalArgumentException(key + ": \"" + value + "\" is not true or false");
    }

    /** Whether to warm up before serving, as {@link #config} last read it. */
    boolean warmupWanted() {
        return warmupWanted;
    }

    private static String pick(String flag, Object fromFile, String fallback) {
        if (flag != null) {
            return flag;
        }
        return fromFile != null ? fromFile.toString() : fallback;
    }

    @Override
    public Integer call() throws Exception {
        DaemonConfig cfg;
        try {
            cfg = config();
            io.nsnet.agent.model.Validation.sandboxPrefix(cfg.sandboxPrefix());
            if (cfg.hostNetns() != null && cfg.hostNetns().startsWith(cfg.sandboxPrefix())) {
                throw new IllegalArgumentException("--host-netns \"" + cfg.hostNetns() + "\" starts with --sandbox-prefix \""
                        + cfg.sandboxPrefix() + "\": the host namespace would look like a sandbox; pick another prefix");
            }
            io.nsnet.agent.model.Validation.interfaceName("default bridge", cfg.defaultBridge());
        } catch (RuntimeException | IOException e) {
            LOG.error("configuration: {}", e.getMessage());
            return 2;
        }
        SdNotify systemd = SdNotify.fromEnvironment();
        NetNs host = cfg.hostNetns() == null ? NetNs.home() : NetNs.open(cfg.hostNetns());
        // Counted down once main has stopped the server and closed the store: the shutdown hook waits for it.
        CountDownLatch stopped = new CountDownLatch(1);
        try (host; Rtnl hostRtnl = Rtnl.open(host); StateStore store = StateStore.open(cfg.stateDir());
             UserlandProxy proxy = new UserlandProxy(host)) {
            FirewallApplier firewall = FirewallApplier.create(host, new NetnsIptablesExec(host), cfg.firewallBackend(),
                    cfg.chainPrefix());
            try (Engine engine = new Engine(cfg, host, hostRtnl, store, firewall, proxy)) {
                return serve(cfg, engine, store, firewall, systemd, stopped);
            }
        } finally {
            stopped.countDown();
        }
    }

    /** Reconciles, serves the API until SIGTERM and stops it; the caller closes what it opened. */
    private int serve(DaemonConfig cfg, Engine engine, StateStore store, FirewallApplier firewall, SdNotify systemd,
            CountDownLatch stopped) throws Exception {
        LOG.info("nsnetd {} starting: host {}, state {}, firewall {} prefix {}, userland proxy {}", Engine.VERSION,
                cfg.hostNetns() == null ? "(own namespace)" : cfg.hostNetns(), cfg.stateDir(),
                firewall.backendName(), cfg.chainPrefix(), cfg.userlandProxy());
        if (purge) {
            return new Purge(engine).run() ? 0 : 1;
        }
        long t0 = System.nanoTime();
        Reconciler reconciler = new Reconciler(engine);
        List<String> failures = reconciler.reconcile();
        reconciler.ensureDefaultNetwork();
        LOG.info("reconciled {} networks and {} sandboxes in {} ms{}", store.networks().size(),
                store.sandboxes().size(), (System.nanoTime() - t0) / 1_000_000,
                failures.isEmpty() ? "" : " with " + failures.size() + " failures");
        if (warmupWanted) {
            new Warmup(cfg, firewall.choice()).run();
        }
        engine.prepare();
        CountDownLatch stop = new CountDownLatch(1);
        io.nsnet.agent.api.ApiServer server = new io.nsnet.agent.api.ApiServer();
        server.start(cfg.socket(), engine);
        Thread hook = new Thread(() -> {
            systemd.notify("STOPPING=1");
            LOG.info("SIGTERM: stopping; networks and sandboxes stay in place");
            stop.countDown();
            // The JVM halts as soon as the hooks return, which would cut in-flight requests and the store's
            // close, and it would exit 143: systemd counts that as a failed stop. Wait for main's orderly
            // stop, then exit 0, as dockerd does on SIGTERM.
            try {
                if (stopped.await(25, java.util.concurrent.TimeUnit.SECONDS)) {
                    LOG.info("stopped");
                    Runtime.getRuntime().halt(0);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        systemd.notify("READY=1\nSTATUS=serving on " + cfg.socket());
        LOG.info("serving the API on {}", cfg.socket());
        stop.await();
        server.stop();
        return 0;
    }
}
