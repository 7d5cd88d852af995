package io.nsnet.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.nsnet.agent.api.ConnectRequest;
import io.nsnet.agent.api.NetworkCreateRequest;
import io.nsnet.agent.api.NetworkView;
import io.nsnet.agent.api.SandboxCreateRequest;
import io.nsnet.agent.api.SandboxView;
import io.nsnet.agent.firewall.BackendChoice;
import io.nsnet.agent.firewall.FirewallApplier;
import io.nsnet.agent.firewall.NetnsIptablesExec;
import io.nsnet.agent.model.ConflictException;
import io.nsnet.agent.model.NotFoundException;
import io.nsnet.agent.model.ObjectState;
import io.nsnet.agent.model.ValidationException;
import io.nsnet.agent.proxy.UserlandProxy;
import io.nsnet.agent.store.StateStore;
import io.nsnet.netns.NetNs;
import io.nsnet.rtnl.Rtnl;
import io.nsnet.testing.Observer;
import io.nsnet.testing.ThrowawayNetns;

/**
 * The daemon's core in-process against the real kernel, in a throwaway host namespace: every operation is
 * checked through iproute2 and iptables-save, plus restart (reconcile) and crash leftovers.
 */
@Tag("kernel")
class EngineKernelTest {
    @TempDir
    Path stateDir;

    private ThrowawayNetns namespaces;
    private NetNs host;
    private String prefix;
    private Daemon daemon;

    /** One "run" of the daemon: the objects nsnetd's main wires together, closable to simulate a stop. */
    private final class Daemon implements AutoCloseable {
        final Rtnl rtnl;
        final StateStore store;
        final UserlandProxy proxy;
        final Engine engine;

        Daemon(boolean userlandProxy) {
            this(userlandProxy, new NetnsIptablesExec(host));
        }

        Daemon(boolean userlandProxy, io.nsnet.agent.firewall.IptablesExec exec) {
            rtnl = Rtnl.open(host);
            store = StateStore.open(stateDir);
            proxy = new UserlandProxy(host);
            DaemonConfig cfg = new DaemonConfig(host.name(), stateDir.resolve("sock"), stateDir, "NSNET", "nstbr0",
                    "10.77.0.0/24", prefix, userlandProxy, backend());
            FirewallApplier fw = FirewallApplier.create(host, exec, backend(), "NSNET");
            engine = new Engine(cfg, host, rtnl, store, fw, proxy);
            Reconciler r = new Reconciler(engine);
            assertThat(r.reconcile()).isEmpty();
            r.ensureDefaultNetwork();
        }

        @Override
        public void close() {
            engine.close();
            proxy.close();
            store.close();
            rtnl.close();
        }
    }

    @BeforeEach
    void setUp() {
        namespaces = new ThrowawayNetns();
        host = namespaces.create("eng");
        Observer.run("ip", "-n", host.name(), "link", "set", "lo", "up");
        prefix = "nst-" + Integer.toHexString((int) (System.nanoTime() & 0xfffff)) + "-";
    }

    @AfterEach
    void tearDown() {
        List<String> left = new java.util.ArrayList<>();
        try {
            if (daemon != null) {
                try {
                    new Purge(daemon.engine).run();
                } finally {
                    daemon.close();
                }
            }
        } finally {
            for (String ns : NetNs.list()) {
                if (ns.startsWith(prefix) && !ns.equals(host.name())) {
                    NetNs.delete(ns);
                    left.add(ns);
                }
            }
            namespaces.close();
        }
        assertThat(left).as("sandbox namespaces left behind by the daemon").isEmpty();
    }

    /** The firewall backend under test; EngineLibiptcKernelTest runs the same tests on libiptc. */
    BackendChoice backend() {
        return BackendChoice.NFT;
    }

    /** The iptables program of the backend's tables. */
    String iptables() {
        return "iptables-nft";
    }

    /**
     * Without comment lines and without the policy counters of built-in chains: those count whatever the
     * namespace itself sends (legacy tables count it, nft's empty base chains do not) and are not nsnet's.
     */
    static String normalize(String save) {
        return save.replaceAll("(?m)^#.*\\n", "").replaceAll("(?m)^(:\\S+ \\S+) \\[\\d+:\\d+\\]$", "$1");
    }

    String save() {
        return normalize(Observer.run("ip", "netns", "exec", host.name(), iptables() + "-save"));
    }

    private String sandboxIp(SandboxView s, int i) {
        return s.endpoints().get(i).ip().split("/")[0];
    }

    /** The host's links, without the veth kept made ahead in the spare namespace (it changes with every create). */
    private List<String> hostLinks() {
        // Also without a veth that has no alias yet: the spare's, made in the background after each create, gets its
        // alias just after it is made (the kernel ignores one in the create request), and a snapshot can fall in
        // between. Every veth nsnet keeps carries an alias.
        List<String> names = new java.util.ArrayList<>();
        Observer.ipJson(host.name(), "-d", "link", "show").forEach(l -> {
            String alias = l.path("ifalias").asText();
            boolean unmarkedVeth = alias.isEmpty() && "veth".equals(l.path("linkinfo").path("info_kind").asText());
            if (!alias.equals(io.nsnet.agent.sandbox.SandboxDriver.SPARE_ALIAS) && !unmarkedVeth) {
                names.add(l.path("ifname").asText());
            }
        });
        return names;
    }

    @Test
    void networksAndSandboxesEndToEnd() {
        daemon = new Daemon(true);
        Engine e = daemon.engine;
        assertThat(Observer.link(host.name(), "nstbr0")).isNotNull();
        assertThat(save()).contains("-A POSTROUTING -s 10.77.0.0/24 ! -o nstbr0 -j MASQUERADE").contains(":FORWARD DROP");

        NetworkView net = e.createNetwork(new NetworkCreateRequest("mynet", "10.78.0.0/24", null, null, null, false,
                null, "nstmy0", 1400));
        assertThat(net.gateway()).isEqualTo("10.78.0.1");
        var br = Observer.link(host.name(), "nstmy0");
        assertThat(br.path("mtu").asInt()).isEqualTo(1400);
        assertThat(br.path("ifalias").asText()).startsWith(io.nsnet.agent.network.BridgeDriver.ALIAS_PREFIX);
        assertThat(br.path("flags").toString()).contains("\"UP\"");
        assertThat(Observer.run("ip", "-n", host.name(), "-4", "addr", "show", "dev", "nstmy0")).contains("10.78.0.1/24");
        assertThat(save()).contains("-A FORWARD -i nstmy0 -o nstmy0 -j DROP");

        SandboxView a = e.createSandbox(new SandboxCreateRequest("a", null, null, null));
        SandboxView b = e.createSandbox(new SandboxCreateRequest("b", List.of("mynet"), "10.78.0.50", List.of("8080:80")));
        assertThat(sandboxIp(a, 0)).isEqualTo("10.77.0.2");
        assertThat(b.endpoints().get(0).mac()).isEqualTo("02:42:0a:4e:00:32");
        assertThat(Observer.netnsList()).contains(prefix + "a", prefix + "b");
        var eth0 = Observer.link(prefix + "b", "eth0");
        assertThat(eth0.path("mtu").asInt()).isEqualTo(1400);
        assertThat(Observer.run("ip", "-n", prefix + "b", "route", "show")).contains("default via 10.78.0.1 dev eth0");
        assertThat(save()).contains("-A NSNET ! -i nstmy0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.78.0.50:80");

        // connect a to mynet as eth1, without a second default route
        SandboxView a2 = e.connect("mynet", new ConnectRequest("a", null));
        assertThat(a2.endpoints()).extracting(SandboxView.EndpointView::ifname).containsExactly("eth0", "eth1");
        assertThat(Observer.run("ip", "-n", prefix + "a", "-4", "addr", "show", "dev", "eth1")).contains("10.78.0.2/24");
        assertThat(Observer.run("ip", "-n", prefix + "a", "route", "show")).contains("default via 10.77.0.1");
        assertThatThrownBy(() -> e.connect("mynet", new ConnectRequest("a", null))).isInstanceOf(ConflictException.class);

        assertThatThrownBy(() -> e.deleteNetwork("mynet")).isInstanceOf(ConflictException.class)
                .hasMessageContaining("a, b").hasMessageContaining("sandboxes attached");
        e.disconnect("mynet", new ConnectRequest("a", null));
        assertThat(Observer.linkNames(prefix + "a")).doesNotContain("eth1");

        e.deleteSandbox("a");
        e.deleteSandbox("b");
        assertThat(Observer.netnsList()).doesNotContain(prefix + "a", prefix + "b");
        assertThat(hostLinks().stream().filter(n -> n.startsWith("veth"))).isEmpty();
        assertThat(save()).doesNotContain("8080");
        e.deleteNetwork("mynet");
        assertThat(Observer.link(host.name(), "nstmy0")).isNull();
        assertThat(save()).doesNotContain("nstmy0");
        assertThatThrownBy(() -> e.deleteNetwork("bridge")).isInstanceOf(ConflictException.class)
                .hasMessageContaining("default network");
    }

    /**
     * As Docker 20.10 leaves a container on an IPv4-only network (reference dump 08: no inet6 inside): no IPv6 in
     * the sandbox, on the namespace made inline and on the one made ahead, for eth0 and for a later eth1. The host
     * ends are marked, on the bridge and up with carrier, although the mark is now set before they come up. Both
     * ends have one queue each way, and the host ends no IPv6 link-local address. The bridges have IPv6 off as well.
     */
    @Test
    void sandboxesHaveNoIpv6AndTheirHostEndsAreMarkedBridgePorts() {
        daemon = new Daemon(true);
        Engine e = daemon.engine;
        e.createNetwork(new NetworkCreateRequest("v4", "10.79.0.0/24", null, null, null, false, null, "nstv4", null));
        SandboxView first = e.createSandbox(new SandboxCreateRequest("first", null, null, null));
        SandboxView second = e.createSandbox(new SandboxCreateRequest("second", null, null, List.of("8181:80")));
        e.connect("v4", new ConnectRequest("second", null));
        for (SandboxView s : List.of(first, second)) {
            String ns = prefix + s.name();
            assertThat(Observer.run("ip", "-n", ns, "-6", "addr", "show")).as("IPv6 addresses in " + ns).isBlank();
            assertThat(Observer.run("ip", "netns", "exec", ns, "cat", "/proc/sys/net/ipv6/conf/all/disable_ipv6",
                    "/proc/sys/net/ipv6/conf/default/disable_ipv6")).isEqualTo("1\n1\n");
            assertThat(Observer.run("ip", "-n", ns, "-4", "addr", "show", "dev", "eth0")).contains(sandboxIp(s, 0) + "/");
            // One TX and RX queue, the one the kernel's default keeps active, without its two RCU waits per veth.
            assertThat(Observer.link(ns, "eth0").path("num_tx_queues").asInt()).isEqualTo(1);
            assertThat(Observer.link(ns, "eth0").path("num_rx_queues").asInt()).isEqualTo(1);
        }
        List<String> veths = hostLinks().stream().filter(n -> n.startsWith("veth")).toList();
        assertThat(veths).hasSize(3);
        for (String v : veths) {
            var link = Observer.link(host.name(), v);
            assertThat(link.path("ifalias").asText()).startsWith(io.nsnet.agent.sandbox.SandboxDriver.ALIAS_PREFIX);
            assertThat(link.path("master").asText()).isIn("nstbr0", "nstv4");
            assertThat(link.path("operstate").asText()).isEqualTo("UP");
            assertThat(link.path("num_tx_queues").asInt()).isEqualTo(1);
            // Bridge ports: up, but without an IPv6 link-local address or its fe80::/64 route.
            assertThat(Observer.run("ip", "-n", host.name(), "-6", "addr", "show", "dev", v)).as("IPv6 on " + v).isBlank();
            assertThat(Observer.run("ip", "-n", host.name(), "-6", "route", "show", "dev", v)).doesNotContain("fe80");
        }
        for (String br : List.of("nstbr0", "nstv4")) {
            assertThat(Observer.run("ip", "-n", host.name(), "-6", "addr", "show", "dev", br)).as("IPv6 on " + br).isBlank();
        }
        assertThat(Observer.run("ip", "-n", host.name(), "-6", "route", "show", "table", "all"))
                .as("IPv6 routes in the host namespace").doesNotContain("nstbr0", "nstv4");
        // The ends are the sandboxes' own, each found again by its mark after a restart.
        daemon.close();
        daemon = new Daemon(true);
        assertThat(hostLinks().stream().filter(n -> n.startsWith("veth")).toList())
                .containsExactlyInAnyOrderElementsOf(veths);
    }

    @Test
    void purgeReturnsTheHostToWhatItWasBeforeNsnet() {
        String baselineRules = save();
        List<String> baselineLinks = Observer.linkNames(host.name());
        daemon = new Daemon(false);
        daemon.engine.createNetwork(new NetworkCreateRequest("n1", null, null, null, true, null, null, null, null));
        daemon.engine.createSandbox(new SandboxCreateRequest("s1", null, null, List.of("7070:70")));
        assertThat(Observer.run("ip", "netns", "exec", host.name(), "cat", "/proc/sys/net/ipv4/ip_forward").trim())
                .isEqualTo("1");
        assertThat(new Purge(daemon.engine).run()).isTrue();
        assertThat(save()).isEqualTo(baselineRules);
        assertThat(Observer.linkNames(host.name())).as("every link, the spare's veth too").isEqualTo(baselineLinks);
        assertThat(Observer.run("ip", "netns", "exec", host.name(), "cat", "/proc/sys/net/ipv4/ip_forward").trim())
                .isEqualTo("0");
    }

    @Test
    void reconcileNeverRemovesTheHostNamespaceEvenWhenItsNameLooksLikeASandbox() {
        prefix = host.name().substring(0, host.name().length() - 1);
        daemon = new Daemon(true);
        assertThat(Observer.netnsList()).contains(host.name());
        daemon.engine.createSandbox(new SandboxCreateRequest("x", null, null, null));
        daemon.close();
        daemon = new Daemon(true);
        assertThat(Observer.netnsList()).contains(host.name(), prefix + "x");
    }

    @Test
    void badRequestsChangeNothing() {
        daemon = new Daemon(true);
        Engine e = daemon.engine;
        e.createNetwork(new NetworkCreateRequest("n1", "10.79.0.0/24", null, null, null, null, null, null, null));
        String before = save();
        List<String> links = hostLinks();
        assertThatThrownBy(() -> e.createNetwork(new NetworkCreateRequest("n2", "10.79.0.0/25", null, null, null, null,
                null, null, null))).isInstanceOf(ConflictException.class).hasMessageContaining("n1");
        assertThatThrownBy(() -> e.createNetwork(new NetworkCreateRequest("n1", null, null, null, null, null, null,
                null, null))).isInstanceOf(ConflictException.class).hasMessageContaining("already in use");
        assertThatThrownBy(() -> e.createNetwork(new NetworkCreateRequest("n3", "10.80.0.1/24", null, null, null, null,
                null, null, null))).isInstanceOf(ValidationException.class).hasMessageContaining("host bits");
        assertThatThrownBy(() -> e.createNetwork(new NetworkCreateRequest("n4", null, null, null, null, null, null,
                "this-bridge-name-is-long", null))).isInstanceOf(ValidationException.class).hasMessageContaining("15");
        assertThatThrownBy(() -> e.createSandbox(new SandboxCreateRequest("s", List.of("nope"), null, null)))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> e.createSandbox(new SandboxCreateRequest("s", List.of("n1"), "10.79.1.5", null)))
                .isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> e.createSandbox(new SandboxCreateRequest("s", null, null, List.of("99999:80"))))
                .isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> e.createSandbox(new SandboxCreateRequest("bad/name", null, null, null)))
                .isInstanceOf(ValidationException.class);
        assertThat(save()).isEqualTo(before);
        assertThat(hostLinks()).isEqualTo(links);
        assertThat(e.listSandboxes()).isEmpty();
        assertThat(e.listNetworks()).extracting(NetworkView::name).containsExactly("bridge", "n1");
    }

    @Test
    void restartKeepsEverythingWithoutRuleChurnAndRepairsWhatIsMissing() {
        daemon = new Daemon(true);
        daemon.engine.createNetwork(new NetworkCreateRequest("n1", null, null, null, null, null, null, null, null));
        daemon.engine.createSandbox(new SandboxCreateRequest("s1", List.of("n1"), null, List.of("9090:90")));
        String rules = Observer.run("ip", "netns", "exec", host.name(), iptables() + "-save", "-c");
        daemon.close();

        daemon = new Daemon(true);
        assertThat(normalize(Observer.run("ip", "netns", "exec", host.name(), iptables() + "-save", "-c")))
                .isEqualTo(normalize(rules));
        daemon.close();

        // Someone deletes a sandbox's veth and flushes nsnet's chain while the daemon is down.
        SandboxView s1;
        try (Daemon reader = new Daemon(true)) {
            s1 = reader.engine.inspectSandbox("s1");
        }
        Observer.run("ip", "-n", host.name(), "link", "delete", s1.endpoints().get(0).hostVeth());
        Observer.run("ip", "netns", "exec", host.name(), iptables(), "-t", "nat", "-F", "NSNET");
        daemon = new Daemon(true);
        assertThat(Observer.link(host.name(), s1.endpoints().get(0).hostVeth())).isNotNull();
        assertThat(Observer.run("ip", "-n", prefix + "s1", "-4", "addr")).contains(s1.endpoints().get(0).ip());
        assertThat(save()).contains("--dport 9090 -j DNAT");
    }

    @Test
    void aNetworkCreateCutShortBeforeItsAnswerIsCompletedAtTheNextStart() {
        // A network's row is committed ready ahead of its bridge and rules: a crash right after that commit
        // leaves the row and nothing in the kernel. Simulated by writing such a row while the daemon is down.
        daemon = new Daemon(true);
        daemon.close();
        try (StateStore store = StateStore.open(stateDir)) {
            store.update(tx -> tx.insertNetwork(new io.nsnet.agent.model.Network("cut",
                    io.nsnet.agent.model.Fixtures.id(42), "nstcut0", io.nsnet.agent.model.Cidr.parse("10.78.0.0/24"),
                    io.nsnet.agent.model.Ipv4.parse("10.78.0.1"), java.util.Optional.empty(), false, true, true, 1500,
                    tx.nextSequence(), java.time.Instant.now(), false, ObjectState.READY)));
        }
        assertThat(Observer.link(host.name(), "nstcut0")).isNull();

        daemon = new Daemon(true);
        assertThat(daemon.engine.inspectNetwork("cut").bridge()).isEqualTo("nstcut0");
        assertThat(Observer.run("ip", "-n", host.name(), "-4", "addr", "show", "nstcut0")).contains("10.78.0.1/24");
        assertThat(save()).contains("-A NSNET-ISOLATION-STAGE-2 -o nstcut0 -j DROP")
                .contains("-A POSTROUTING -s 10.78.0.0/24 ! -o nstcut0 -j MASQUERADE");
    }

    @Test
    void aSandboxCreateCutShortWhileItsLinksWereMadeIsCompletedAtTheNextStart() {
        // A sandbox's row is committed ready ahead of its links: a crash between the host side and the sandbox
        // side of its veth leaves an endpoint that looks whole from the host. Simulated by undoing the sandbox
        // side of the last sandbox made while the daemon is down.
        daemon = new Daemon(true);
        daemon.engine.createSandbox(new SandboxCreateRequest("first", null, null, null));
        SandboxView cut = daemon.engine.createSandbox(new SandboxCreateRequest("cut", null, null, null));
        String veth = cut.endpoints().get(0).hostVeth();
        String ip = cut.endpoints().get(0).ip(); // with its prefix length, as ip addr shows it
        daemon.close();
        String ns = prefix + "cut";
        Observer.run("ip", "-n", ns, "addr", "flush", "dev", "eth0");
        Observer.run("ip", "-n", ns, "link", "set", "eth0", "down");
        assertThat(Observer.run("ip", "-n", ns, "route")).doesNotContain("default");

        daemon = new Daemon(true);
        assertThat(Observer.run("ip", "-n", ns, "-4", "addr", "show", "eth0")).contains("inet " + ip + " ").contains("UP");
        assertThat(Observer.run("ip", "-n", ns, "route")).contains("default via 10.77.0.1 dev eth0");
        assertThat(Observer.link(host.name(), veth).path("master").asText()).isEqualTo("nstbr0");
        assertThat(daemon.engine.inspectSandbox("cut").endpoints().get(0).ip()).isEqualTo(ip);
        int remade = Observer.link(host.name(), veth).path("ifindex").asInt();
        daemon.close();

        // Whole now: the next start checks it again and leaves it exactly as it is.
        daemon = new Daemon(true);
        assertThat(Observer.link(host.name(), veth).path("ifindex").asInt()).isEqualTo(remade);
    }

    /**
     * A sandbox's veths are plugged while its transaction runs: one the transaction refuses (a name or an address in
     * use, found after the veths were made) must take them back, and its namespace, before answering.
     */
    @Test
    void aCreateRefusedByItsTransactionTakesItsVethsBack() {
        daemon = new Daemon(true);
        Engine e = daemon.engine;
        e.createSandbox(new SandboxCreateRequest("first", null, "10.77.0.9", null));
        List<String> links = hostLinks();
        List<String> netns = Observer.netnsList();
        assertThatThrownBy(() -> e.createSandbox(new SandboxCreateRequest("first", null, null, null)))
                .isInstanceOf(ConflictException.class).hasMessageContaining("already in use");
        assertThatThrownBy(() -> e.createSandbox(new SandboxCreateRequest("second", null, "10.77.0.9", null)))
                .isInstanceOf(ConflictException.class).hasMessageContaining("10.77.0.9");
        assertThatThrownBy(() -> e.createSandbox(new SandboxCreateRequest("third", List.of("bridge", "nope"), null,
                null))).isInstanceOf(NotFoundException.class);
        assertThat(hostLinks()).isEqualTo(links);
        assertThat(Observer.netnsList()).isEqualTo(netns);
        assertThat(e.listSandboxes()).extracting(SandboxView::name).containsExactly("first");
        // And the next create, on the namespace made ahead after those, works.
        e.createSandbox(new SandboxCreateRequest("second", null, null, null));
        assertThat(e.listSandboxes()).extracting(SandboxView::name).containsExactly("first", "second");
    }

    @Test
    void aSandboxWhoseCreateFailsAfterItsCommitLeavesNothing() {
        daemon = new Daemon(true);
        // The default network's bridge deleted behind the daemon's back: the create fails at the kernel work,
        // after its row was committed, and must take row, namespace, links and rules back.
        Observer.run("ip", "-n", host.name(), "link", "delete", "nstbr0");
        String links = hostLinks().toString();
        String rules = save();
        assertThatThrownBy(() -> daemon.engine.createSandbox(new SandboxCreateRequest("doomed", null, null,
                List.of("18090:80")))).isInstanceOf(RuntimeException.class);
        assertThat(daemon.engine.listSandboxes()).isEmpty();
        assertThat(daemon.store.snapshot().sandboxes()).isEmpty();
        assertThat(Observer.netnsList()).doesNotContain(prefix + "doomed");
        assertThat(hostLinks().toString()).isEqualTo(links);
        assertThat(save()).isEqualTo(rules);
        daemon.close();
        daemon = new Daemon(true);
        assertThat(daemon.engine.listSandboxes()).isEmpty();
    }

    @Test
    void reconcileRollsBackUnacknowledgedWorkAndRemovesOrphans() {
        daemon = new Daemon(true);
        daemon.engine.createNetwork(new NetworkCreateRequest("keep", null, null, null, null, null, null, null, null));
        daemon.engine.createSandbox(new SandboxCreateRequest("half", List.of("keep"), null, null));
        daemon.engine.createNetwork(new NetworkCreateRequest("gone", null, null, null, null, null, null, "nstgone0", null));
        // Crash states: a sandbox whose create was never acknowledged, a network mid-delete.
        daemon.store.update(tx -> {
            tx.setSandboxState("half", ObjectState.CREATING);
            tx.setNetworkState("gone", ObjectState.DELETING);
        });
        daemon.close();
        // An orphan: a sandbox namespace with the daemon's prefix that the store does not know.
        Observer.run("ip", "netns", "add", prefix + "orphan");
        // A foreign link and a foreign namespace that must survive.
        Observer.run("ip", "-n", host.name(), "link", "add", "nstforeign", "type", "bridge");

        daemon = new Daemon(true);
        assertThat(daemon.engine.listSandboxes()).isEmpty();
        assertThat(daemon.engine.listNetworks()).extracting(NetworkView::name).containsExactly("bridge", "keep");
        assertThat(Observer.netnsList()).doesNotContain(prefix + "half", prefix + "orphan");
        assertThat(hostLinks()).doesNotContain("nstgone0").contains("nstforeign");
        assertThat(hostLinks().stream().filter(n -> n.startsWith("veth"))).isEmpty();
        assertThat(save()).doesNotContain("nstgone0");
    }

    @Test
    void userlandProxyRelaysTcpAndUdpFromLoopback() throws Exception {
        daemon = new Daemon(true);
        SandboxView s = daemon.engine.createSandbox(new SandboxCreateRequest("srv", null, null,
                List.of("127.0.0.1:18080:80/tcp", "18081:81/udp")));
        assertThatThrownBy(() -> daemon.engine.createSandbox(new SandboxCreateRequest("srv2", null, null,
                List.of("18080:80")))).isInstanceOf(ConflictException.class).hasMessageContaining("srv");
        assertThat(tcpThroughProxy(prefix + "srv", 18080, "hello tcp")).isEqualTo("hello tcp");
        NetNs sandboxNs = NetNs.open(prefix + "srv");
        try (sandboxNs; DatagramChannel udp = sandboxNs.call(() -> DatagramChannel.open().bind(new InetSocketAddress(81)))) {
            Thread udpServer = new Thread(() -> {
                try {
                    ByteBuffer buf = ByteBuffer.allocate(100);
                    var from = udp.receive(buf);
                    udp.send(ByteBuffer.wrap("hello udp".getBytes(StandardCharsets.US_ASCII)), from);
                } catch (IOException ignored) {
                    // the assertion below reports it
                }
            });
            udpServer.start();
            String viaUdp = host.call(() -> {
                try (DatagramChannel c = DatagramChannel.open()) {
                    c.connect(new InetSocketAddress("127.0.0.1", 18081));
                    c.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)));
                    ByteBuffer buf = ByteBuffer.allocate(100);
                    c.read(buf);
                    return new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII);
                }
            });
            assertThat(viaUdp).isEqualTo("hello udp");
            udpServer.join(5000);
        }
        assertThat(s.ports()).containsExactly("127.0.0.1:18080:80/tcp", "18081:81/udp");
        daemon.engine.deleteSandbox("srv");
        assertThat(daemon.proxy.published()).isEmpty();
    }

    @Test
    void aRemovedSandboxsPortCanBePublishedAgainAtOnceAndRelays() throws Exception {
        daemon = new Daemon(true);
        // Several ports, so the one accept thread serves more than one socket; removed and published again at once.
        daemon.engine.createSandbox(new SandboxCreateRequest("other", null, null, List.of("18096:80")));
        for (int round = 0; round < 3; round++) {
            daemon.engine.createSandbox(new SandboxCreateRequest("a" + round, null, null, List.of("18097:80")));
            daemon.engine.deleteSandbox("a" + round);
        }
        daemon.engine.createSandbox(new SandboxCreateRequest("again", null, null, List.of("18097:80")));
        assertThat(tcpThroughProxy(prefix + "again", 18097, "again")).isEqualTo("again");
        assertThat(daemon.proxy.published()).hasSize(2);
        daemon.engine.deleteSandbox("again");
        daemon.engine.deleteSandbox("other");
        assertThat(daemon.proxy.published()).isEmpty();
        // Both ports are free on the host.
        for (int port : new int[] {18096, 18097}) {
            host.call(() -> {
                try (ServerSocketChannel free = ServerSocketChannel.open().bind(new InetSocketAddress(port))) {
                    return free.isOpen();
                }
            });
        }
    }

    /**
     * Serves one TCP connection on port 80 inside the sandbox namespace {@code netns} with {@code reply}, and
     * returns what a client in the host reads from 127.0.0.1:{@code hostPort} (through the userland proxy).
     */
    private String tcpThroughProxy(String netns, int hostPort, String reply) throws Exception {
        try (NetNs sandboxNs = NetNs.open(netns);
             ServerSocketChannel tcp = sandboxNs.call(() -> ServerSocketChannel.open().bind(new InetSocketAddress(80)))) {
            Thread server = new Thread(() -> {
                try (SocketChannel c = tcp.accept()) {
                    c.write(ByteBuffer.wrap(reply.getBytes(StandardCharsets.US_ASCII)));
                } catch (IOException ignored) {
                    // the caller's assertion reports it
                }
            });
            server.start();
            try {
                return host.call(() -> {
                    try (SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", hostPort))) {
                        ByteBuffer buf = ByteBuffer.allocate(100);
                        c.read(buf);
                        return new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII);
                    }
                });
            } finally {
                server.join(5000);
            }
        }
    }

    @Test
    void aCreateThatFailsGivesBackTheHostPortsItReserved() throws Exception {
        daemon = new Daemon(true);
        // The second port is held by someone else: the first was already reserved when that was found.
        try (ServerSocketChannel taken = host.call(() -> ServerSocketChannel.open().bind(new InetSocketAddress(18091)))) {
            assertThatThrownBy(() -> daemon.engine.createSandbox(new SandboxCreateRequest("p1", null, null,
                    List.of("18090:80", "18091:81")))).isInstanceOf(ConflictException.class)
                    .hasMessageContaining("18091").hasMessageContaining("in use on the host");
        }
        // A failure after the ports were reserved (a static address outside the subnet).
        assertThatThrownBy(() -> daemon.engine.createSandbox(new SandboxCreateRequest("p2", null, "192.0.2.9",
                List.of("18092:80")))).isInstanceOf(ValidationException.class);
        for (int port : new int[] {18090, 18091, 18092}) {
            host.call(() -> {
                try (ServerSocketChannel free = ServerSocketChannel.open().bind(new InetSocketAddress(port))) {
                    return free.isOpen();
                }
            });
        }
        assertThat(daemon.proxy.published()).isEmpty();
        assertThat(daemon.engine.listSandboxes()).isEmpty();
        // And a later create may publish them.
        daemon.engine.createSandbox(new SandboxCreateRequest("p3", null, null, List.of("18090:80", "18092:80/udp")));
        assertThat(daemon.proxy.published()).hasSize(2);
        daemon.engine.deleteSandbox("p3");
    }

    /**
     * Networks and sandboxes are committed ready ahead of their kernel work: until their creator is answered, no
     * reader lists or inspects them, and network views do not list the sandbox on them. Held here while their
     * rules are being applied.
     */
    @Test
    void aCreateIsHiddenFromReadersUntilItIsAnswered() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean holdNext = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.CountDownLatch[] entered = {new java.util.concurrent.CountDownLatch(1)};
        java.util.concurrent.CountDownLatch[] release = {new java.util.concurrent.CountDownLatch(1)};
        NetnsIptablesExec real = new NetnsIptablesExec(host);
        daemon = new Daemon(true, (argv, stdin) -> {
            if (argv.get(0).endsWith("-restore") && holdNext.compareAndSet(true, false)) {
                entered[0].countDown();
                try {
                    release[0].await(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return real.run(argv, stdin);
        });
        Assumptions.assumeTrue(daemon.engine.firewall().backendName().equals("nft")
                || daemon.engine.firewall().backendName().equals("legacy"), "a backend that runs iptables-restore");
        Engine e = daemon.engine;
        java.util.concurrent.ExecutorService creator = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            holdNext.set(true);
            var network = creator.submit(() -> e.createNetwork(new NetworkCreateRequest("held", "10.82.0.0/24", null,
                    null, null, null, null, "nstheld", null)));
            assertThat(entered[0].await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(e.listNetworks()).extracting(NetworkView::name).containsExactly("bridge");
            assertThatThrownBy(() -> e.inspectNetwork("held")).isInstanceOf(NotFoundException.class);
            release[0].countDown();
            assertThat(network.get(30, java.util.concurrent.TimeUnit.SECONDS).name()).isEqualTo("held");
            assertThat(e.inspectNetwork("held").name()).isEqualTo("held");

            entered[0] = new java.util.concurrent.CountDownLatch(1);
            release[0] = new java.util.concurrent.CountDownLatch(1);
            holdNext.set(true);
            var sandbox = creator.submit(() -> e.createSandbox(new SandboxCreateRequest("held", List.of("held"),
                    null, List.of("18095:80"))));
            assertThat(entered[0].await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(e.listSandboxes()).isEmpty();
            assertThatThrownBy(() -> e.inspectSandbox("held")).isInstanceOf(NotFoundException.class);
            assertThat(e.inspectNetwork("held").sandboxes()).isEmpty();
            assertThat(e.listNetworks()).allSatisfy(n -> assertThat(n.sandboxes()).isEmpty());
            assertThat(e.info().sandboxes()).isZero();
            release[0].countDown();
            assertThat(sandbox.get(30, java.util.concurrent.TimeUnit.SECONDS).name()).isEqualTo("held");
            assertThat(e.listSandboxes()).extracting(SandboxView::name).containsExactly("held");
            assertThat(e.inspectNetwork("held").sandboxes()).hasSize(1);
        } finally {
            release[0].countDown();
            creator.shutdown();
        }
    }

    /**
     * A network's bridge, and a sandbox-with-ports' links, are made while their rules are committed: when the rules
     * fail, the create rolls back what was made alongside, and leaves rules, links and rows as they were.
     */
    @Test
    void changesWhoseRulesFailLeaveNoLinksBehind() {
        java.util.concurrent.atomic.AtomicBoolean failRestores = new java.util.concurrent.atomic.AtomicBoolean();
        NetnsIptablesExec real = new NetnsIptablesExec(host);
        daemon = new Daemon(true, (argv, stdin) -> failRestores.get() && argv.get(0).endsWith("-restore")
                ? new io.nsnet.agent.firewall.IptablesExec.Result(1, "", "injected: restore refused")
                : real.run(argv, stdin));
        Assumptions.assumeTrue(daemon.engine.firewall().backendName().equals("nft")
                || daemon.engine.firewall().backendName().equals("legacy"), "a backend that runs iptables-restore");
        String before = save();
        List<String> links = hostLinks();
        failRestores.set(true);
        assertThatThrownBy(() -> daemon.engine.createNetwork(new NetworkCreateRequest("nf", "10.81.0.0/24", null, null,
                null, null, null, "nstbrfail", null))).hasMessageContaining("injected");
        failRestores.set(false);
        assertThat(hostLinks()).isEqualTo(links).doesNotContain("nstbrfail");
        assertThat(save()).isEqualTo(before);
        assertThat(daemon.engine.listNetworks()).extracting(NetworkView::name).containsExactly("bridge");
        // And the same network can be made afterwards.
        daemon.engine.createNetwork(new NetworkCreateRequest("nf", "10.81.0.0/24", null, null, null, null, null,
                "nstbrfail", null));
        assertThat(hostLinks()).contains("nstbrfail");

        // A sandbox with a port: its links are made while its rules are committed; failing rules roll both back.
        String withNetwork = save();
        List<String> linksWithNetwork = hostLinks();
        failRestores.set(true);
        assertThatThrownBy(() -> daemon.engine.createSandbox(new SandboxCreateRequest("pf", List.of("nf"), null,
                List.of("18095:80")))).hasMessageContaining("injected");
        failRestores.set(false);
        assertThat(hostLinks()).isEqualTo(linksWithNetwork);
        assertThat(NetNs.list()).doesNotContain(prefix + "pf");
        assertThat(save()).isEqualTo(withNetwork);
        assertThat(daemon.proxy.published()).isEmpty();
        assertThat(daemon.engine.listSandboxes()).isEmpty();
        daemon.engine.createSandbox(new SandboxCreateRequest("pf", List.of("nf"), null, List.of("18095:80")));
        assertThat(daemon.proxy.published()).hasSize(1);
    }
}
