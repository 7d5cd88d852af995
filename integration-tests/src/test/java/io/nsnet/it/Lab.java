package io.nsnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One scenario's world: a throwaway host namespace {@code nst-h-ID} and a "wan" namespace {@code nst-w-ID}
 * joined by a veth pair (wan 203.0.113.1/24, host 203.0.113.2/24, host default route via .1), a real nsnetd
 * whose host is nst-h-ID and whose sandboxes are {@code nst-sID-NAME}, and the API client to drive it.
 *
 * <p>Registered with {@code @RegisterExtension}: when the scenario fails it prints the daemon's log and the
 * host's {@code iptables-save -c} while they still exist; afterwards it always tears everything down (stop,
 * {@code --purge}, delete the namespaces) and checks that no namespace of the scenario is left. Nothing is ever
 * done in the root namespace.
 */
final class Lab implements AfterTestExecutionCallback, AfterEachCallback {
    static final String WAN_IP = "203.0.113.1";
    static final String HOST_IP = "203.0.113.2";

    private final String id = HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
    private Netns host;
    private Netns wan;
    private Daemon daemon;
    private Api api;
    private Firewall firewall;
    private Path workDir;
    private String sandboxPrefix;
    private String chainPrefix;
    private long startMs;
    private JsonNode info;
    private final List<String> trace = new ArrayList<>();

    /** Builds the namespaces and starts nsnetd with {@code options} (or attaches to the existing daemon). */
    Lab start(DaemonOptions options) {
        return start(options, () -> { });
    }

    /** As {@link #start(DaemonOptions)}, running {@code beforeDaemon} once the namespaces exist. */
    Lab start(DaemonOptions options, Runnable beforeDaemon) {
        if (ItMode.existing()) {
            return attach();
        }
        try {
            workDir = Files.createTempDirectory("nst-" + id + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        host = new Netns("nst-h-" + id);
        Netns.add(host.name());
        host.ip("link", "set", "lo", "up").check();
        wan = makeWan();
        host.ip("route", "add", "default", "via", WAN_IP).check();
        sandboxPrefix = "nst-s" + id + "-";
        chainPrefix = options.chainPrefix();
        daemon = new Daemon(host.name(), sandboxPrefix, workDir, options);
        firewall = new Firewall(host, options.backend());
        beforeDaemon.run();
        long t0 = System.nanoTime();
        daemon.start();
        startMs = (System.nanoTime() - t0) / 1_000_000;
        api = new Api(daemon.socket());
        info = api.info();
        return this;
    }

    /** Existing mode: the daemon's own host namespace (root if it reports none); a wan namespace of ours. */
    private Lab attach() {
        api = new Api(ItMode.socket());
        info = api.info();
        String h = info.path("hostNetns").asText("");
        host = h.isEmpty() ? Netns.root() : new Netns(h);
        sandboxPrefix = info.get("sandboxPrefix").asText();
        firewall = new Firewall(host, Backend.of(info.get("firewallBackend").asText()));
        wan = makeWan();
        return this;
    }

    /** wan namespace and the veth to it; the host end is {@code nstwID} (unique even in a shared host). */
    private Netns makeWan() {
        Netns w = new Netns("nst-w-" + id);
        wan = w; // known to teardown before anything can fail
        Netns.add(w.name());
        String hostEnd = "nstw" + id;
        host.ip("link", "add", hostEnd, "type", "veth", "peer", "name", "eth0", "netns", w.name()).check();
        host.ip("addr", "add", HOST_IP + "/24", "dev", hostEnd).check();
        host.ip("link", "set", hostEnd, "up").check();
        w.ip("addr", "add", WAN_IP + "/24", "dev", "eth0").check();
        w.ip("link", "set", "lo", "up").check();
        w.ip("link", "set", "eth0", "up").check();
        return w;
    }

    /** Existing daemon: a scenario parameterized by backend runs only for the backend the daemon uses. */
    void assumeBackend(Backend backend) {
        Assumptions.assumeTrue(firewall.backend() == backend, "the existing daemon uses " + firewall.backend().flag);
    }

    /** Skips the scenario when it needs to start, stop or reconfigure its own daemon. */
    static void requireOwnDaemon(String why) {
        Assumptions.assumeFalse(ItMode.existing(), "existing-daemon mode: " + why);
    }

    /**
     * A name for an object of this scenario. Own daemon: the name itself. Existing daemon: made unique and
     * recognisable, so cleanup removes exactly what this scenario made.
     */
    String name(String base) {
        return ItMode.existing() ? "it" + id + base : base;
    }

    String id() {
        return id;
    }

    Netns host() {
        return host;
    }

    Netns wan() {
        return wan;
    }

    Api api() {
        return api;
    }

    Firewall firewall() {
        return firewall;
    }

    Daemon daemon() {
        return daemon;
    }

    JsonNode info() {
        return info;
    }

    /** The named namespace of sandbox {@code name}. */
    Netns sandbox(String name) {
        return new Netns(sandboxPrefix + name);
    }

    String sandboxPrefix() {
        return sandboxPrefix;
    }

    /** A line for the failure report (what the scenario was doing). */
    void note(String line) {
        trace.add(line);
    }

    /** SIGTERM, then start again: the daemon must pick everything up. Returns the stop's exit code. */
    int restart() {
        int rc = daemon.stop();
        daemon.start();
        restarted();
        return rc;
    }

    /** SIGKILL, then start again. */
    void crashAndRestart() {
        daemon.kill();
        daemon.start();
        restarted();
    }

    /** Reconnects the API client to a restarted daemon. */
    private void restarted() {
        api.close();
        api = new Api(daemon.socket());
        info = api.info();
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        // An assumption that skipped the scenario (TestAbortedException) is not a failure to report.
        context.getExecutionException().filter(e -> !(e instanceof org.opentest4j.TestAbortedException)).ifPresent(e -> report(context.getDisplayName() + " [" + context.getRequiredTestMethod().getName() + "]", e));
    }

    private void report(String scenario, Throwable e) {
        StringBuilder b = new StringBuilder("\n======== FAILED scenario: ").append(scenario).append(" (lab ").append(id).append(")\n");
        b.append("cause: ").append(e).append('\n');
        trace.forEach(t -> b.append("  step: ").append(t).append('\n'));
        if (daemon != null) {
            b.append("-------- nsnetd log (").append(daemon.log()).append(")\n").append(daemon.logText());
        }
        if (firewall != null && host != null) {
            b.append("-------- ").append(firewall.backend().save()).append(" -c in ").append(host).append('\n');
            try {
                b.append(firewall.raw());
            } catch (RuntimeException x) {
                b.append("(unavailable: ").append(x).append(")\n");
            }
            b.append("-------- links in ").append(host).append('\n').append(host.ip("-br", "addr").out());
        }
        System.out.println(b);
        // Also kept as a file: CI logs get truncated or filtered, target/it-failures/ does not.
        try {
            Path dir = Path.of(System.getProperty("nsnet.it.reports", "target/it-failures"));
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(id + ".txt"), b);
        } catch (IOException x) {
            System.out.println("(could not save the report: " + x + ")");
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        long t0 = System.nanoTime();
        try {
            teardown();
        } finally {
            // Where a slow run spends its time: daemon start-up vs teardown vs the scenario itself.
            System.out.printf("lab %s %s: nsnetd started in %d ms, teardown %d ms%n", id, context.getDisplayName(), startMs,
                    (System.nanoTime() - t0) / 1_000_000);
        }
    }

    private void teardown() {
        List<String> problems = new ArrayList<>();
        if (ItMode.existing()) {
            cleanupExisting(problems);
        } else if (daemon != null) {
            step(problems, "stop nsnetd", () -> daemon.stop());
            step(problems, "purge", () -> {
                Cmd.Result r = daemon.purge();
                if (!r.ok()) {
                    throw new IllegalStateException("nsnetd --purge exited " + r.rc() + ": " + r.out() + r.err());
                }
            });
            // --purge must leave nothing of nsnet's in the host: no rule or chain with its prefix, no bridge,
            // no veth but the wan's (rules planted by a scenario stay: they are not nsnet's).
            step(problems, "nothing of nsnet's after --purge", () -> {
                List<String> left = firewall.save().stream().filter(l -> l.contains(chainPrefix)).toList();
                assertThat(left).as("rules and chains with prefix %s after --purge", chainPrefix).isEmpty();
                assertThat(host.links("bridge")).as("bridges after --purge").isEmpty();
                assertThat(host.everyLink("veth")).as("veths after --purge").containsExactly("nstw" + id);
            });
        }
        if (api != null) {
            api.close();
        }
        // Sandbox namespaces the purge missed, then ours; the check below reports any that resisted.
        for (String ns : Netns.named("nst-s" + id + "-")) {
            step(problems, "delete " + ns, () -> Netns.delete(ns));
        }
        if (wan != null) {
            step(problems, "delete " + wan, () -> Netns.delete(wan.name()));
        }
        if (host != null && !host.isRoot() && host.name().contains(id)) {
            step(problems, "delete " + host, () -> Netns.delete(host.name()));
        }
        if (workDir != null) {
            deleteTree(workDir);
        }
        List<String> left = Netns.named("nst-").stream().filter(n -> n.contains(id)).toList();
        assertThat(left).as("namespaces of scenario %s left behind", id).isEmpty();
        assertThat(problems).as("teardown of scenario %s", id).isEmpty();
    }

    /** Existing daemon: delete our sandboxes, then our networks, then our veth (the wan netns goes above). */
    private void cleanupExisting(List<String> problems) {
        if (api == null) {
            return;
        }
        String mine = "it" + id;
        step(problems, "delete our sandboxes", () -> api.sandboxNames().stream().filter(n -> n.startsWith(mine))
                .forEach(api::deleteSandbox));
        step(problems, "delete our networks", () -> api.networkNames().stream().filter(n -> n.startsWith(mine))
                .forEach(api::deleteNetwork));
        if (host != null) {
            host.ip("link", "del", "nstw" + id);
        }
    }

    private static void step(List<String> problems, String what, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException | AssertionError e) {
            problems.add(what + ": " + e.getMessage());
        }
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp dir left behind is harmless
        }
    }
}
