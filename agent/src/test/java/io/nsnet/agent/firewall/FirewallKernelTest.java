package io.nsnet.agent.firewall;

import static io.nsnet.agent.firewall.KernelNamespaces.in;
import static io.nsnet.agent.firewall.KernelNamespaces.observe;
import static org.assertj.core.api.Assertions.assertThat;

import io.nsnet.agent.firewall.FirewallState.Endpoint;
import io.nsnet.agent.firewall.FirewallState.Network;
import io.nsnet.agent.firewall.FirewallState.Protocol;
import io.nsnet.agent.firewall.FirewallState.PublishedPort;
import io.nsnet.agent.firewall.model.Rule;
import io.nsnet.agent.firewall.model.RuleSpec;
import io.nsnet.agent.firewall.model.Ruleset;
import io.nsnet.agent.firewall.model.SaveFormat;
import io.nsnet.netns.NetNs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The applier against real iptables (both variants) in throwaway namespaces {@code nst-fw-*}. The applier runs
 * iptables through {@link NetnsIptablesExec} (setns on a worker thread); the tests observe and interfere only
 * through {@code ip netns exec NS iptables-*}. Nothing runs in the root namespace.
 */
@Tag("kernel")
class FirewallKernelTest {

    private KernelNamespaces namespaces;
    private NetNs handle;

    /** Counts what the applier runs, so "no restore" and "no process at all" can be asserted. */
    static final class Counting implements IptablesExec {
        final IptablesExec delegate;
        final List<List<String>> calls = new ArrayList<>();

        Counting(IptablesExec delegate) {
            this.delegate = delegate;
        }

        @Override
        public Result run(List<String> argv, String stdin) throws IOException {
            calls.add(argv);
            return delegate.run(argv, stdin);
        }

        long restores() {
            return calls.stream().filter(c -> c.get(0).endsWith("-restore")).count();
        }
    }

    @BeforeEach
    void setUp() {
        Assumptions.assumeTrue(KernelNamespaces.usable(), "needs root and iptables (apt-get install iptables)");
        namespaces = new KernelNamespaces();
    }

    @AfterEach
    void tearDown() {
        if (handle != null) {
            handle.close();
            handle = null;
        }
        if (namespaces != null) {
            namespaces.close();
        }
    }

    private Counting execIn(String ns) {
        handle = NetNs.open(ns);
        return new Counting(new NetnsIptablesExec(handle));
    }

    @ParameterizedTest
    @EnumSource(KernelBackend.class)
    void fullLifecycleKeepsForeignRulesRepairsDriftAndReturnsToBaseline(KernelBackend b) {
        IptablesVariant v = b.variant();
        String ns = namespaces.create(b.name().toLowerCase(java.util.Locale.ROOT));
        // Someone else's firewall, before nsnet.
        in(ns, v.iptables(), "-A", "FORWARD", "-s", "192.0.2.0/24", "-j", "DROP");
        in(ns, v.iptables(), "-A", "FORWARD", "-i", "eth9", "-m", "comment", "--comment", "admin rule", "-j", "ACCEPT");
        in(ns, v.iptables(), "-t", "nat", "-A", "POSTROUTING", "-s", "198.51.100.0/24", "-o", "eth9", "-j", "MASQUERADE");
        in(ns, v.iptables(), "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "2222", "-j", "DNAT", "--to-destination", "198.51.100.7:22");
        String baseline = observe(ns, v);

        Counting exec = execIn(ns);
        FirewallApplier applier = b.applier(exec, handle, "NSNET");

        List<Network> nets = new ArrayList<>(List.of(
                Network.bridge("nsnet0", "172.17.0.0/16"),
                Network.bridge("nsn-a", "172.18.0.0/16"),
                new Network("nsn-int", "172.19.0.0/16", true, true, true)));
        List<Endpoint> eps = new ArrayList<>(List.of(
                new Endpoint("172.17.0.2", "nsnet0", List.of(PublishedPort.tcp(8080, 80))),
                new Endpoint("172.18.0.3", "nsn-a", List.of(new PublishedPort(null, 9999, 9999, Protocol.UDP),
                        new PublishedPort("203.0.113.2", 8443, 443, Protocol.TCP)))));
        FirewallState s = new FirewallState("NSNET", true, nets, eps);
        assertThat(applier.apply(s).changed()).isTrue();
        assertConverged(ns, v, s, baseline, "");

        // Apply again: the save only, no restore; incremental: no process at all; ruleset unchanged.
        // (libiptc: never a process; "no commit" is seen as an unchanged result and ruleset.)
        String before = observe(ns, v);
        int calls = exec.calls.size();
        int saves = b.inProcess() ? 0 : 1;
        assertThat(applier.apply(s).changed()).isFalse();
        assertThat(exec.calls).hasSize(calls + saves);
        assertThat(exec.restores()).isEqualTo(saves);
        assertThat(applier.applyIncremental(s).changed()).isFalse();
        assertThat(exec.calls).hasSize(calls + saves);
        assertThat(observe(ns, v)).isEqualTo(before);

        // The administrator's rule in P-USER, and a foreign rule inserted at the top of FORWARD later on.
        in(ns, v.iptables(), "-I", "NSNET-USER", "-s", "203.0.113.9/32", "-j", "DROP");
        in(ns, v.iptables(), "-I", "FORWARD", "1", "-i", "eth8", "-j", "ACCEPT");
        String userRule = "-A NSNET-USER -s 203.0.113.9/32 -j DROP\n";

        // Add and remove networks and ports in mixed order, through both entry points.
        nets.add(new Network("nsn-b", "10.50.0.0/24", false, false, true));
        s = new FirewallState("NSNET", true, nets, eps);
        applier.applyIncremental(s);
        assertConverged(ns, v, s, null, userRule);

        eps.add(new Endpoint("10.50.0.2", "nsn-b", List.of(PublishedPort.tcp(8081, 80))));
        s = new FirewallState("NSNET", true, nets, eps);
        applier.applyIncremental(s);
        assertConverged(ns, v, s, null, userRule);

        nets.remove(1); // nsn-a, in the middle, with its endpoint
        eps.remove(1);
        s = new FirewallState("NSNET", true, nets, eps);
        applier.apply(s);
        assertConverged(ns, v, s, null, userRule);

        nets.add(Network.bridge("nsn-c", "10.60.0.0/24"));
        eps.remove(0);
        s = new FirewallState("NSNET", true, nets, eps);
        applier.applyIncremental(s);
        assertConverged(ns, v, s, null, userRule);

        // Switch to the no-proxy layout.
        s = new FirewallState("NSNET", false, nets, eps);
        applier.apply(s);
        assertConverged(ns, v, s, null, userRule);

        // Someone flushes nsnet's chains and deletes a jump: the next apply repairs it.
        in(ns, v.iptables(), "-F", "NSNET");
        in(ns, v.iptables(), "-F", "NSNET-ISOLATION-STAGE-1");
        in(ns, v.iptables(), "-t", "nat", "-F", "NSNET");
        in(ns, v.iptables(), "-D", "FORWARD", "-j", "NSNET-ISOLATION-STAGE-1");
        assertThat(applier.apply(s).changed()).isTrue();
        assertConverged(ns, v, s, null, userRule);

        // No networks: base chains stay, like Docker; teardown: back to the baseline, byte for byte.
        applier.apply(FirewallState.empty("NSNET", false));
        assertConverged(ns, v, FirewallState.empty("NSNET", false), null, userRule);
        applier.teardown(List.of());
        in(ns, v.iptables(), "-D", "FORWARD", "-i", "eth8", "-j", "ACCEPT"); // the foreign rule added later
        assertThat(observe(ns, v)).isEqualTo(baseline);
        if (b.inProcess()) {
            assertThat(exec.calls).as(b + " runs no iptables process").isEmpty();
        }
    }

    /**
     * Networks and ports added and removed in random order (fixed seeds), through both entry points, with
     * foreign rules planted among nsnet's at random moments: after every step nsnet's rules are exactly the
     * generator's, the foreign rules are all there in their original relative order, and teardown returns the
     * namespace to the baseline byte for byte.
     */
    @ParameterizedTest
    @EnumSource(KernelBackend.class)
    void randomOrderOfChangesConverges(KernelBackend b) {
        IptablesVariant v = b.variant();
        String ns = namespaces.create("r" + b.name().toLowerCase(java.util.Locale.ROOT));
        in(ns, v.iptables(), "-A", "FORWARD", "-s", "192.0.2.0/24", "-j", "DROP");
        in(ns, v.iptables(), "-t", "nat", "-A", "POSTROUTING", "-s", "198.51.100.0/24", "-o", "eth9", "-j", "MASQUERADE");
        String baseline = observe(ns, v);
        Counting exec = execIn(ns);
        FirewallApplier applier = b.applier(exec, handle, "NSNET");
        java.util.Random rnd = new java.util.Random(7 + v.ordinal());
        List<Network> nets = new ArrayList<>();
        List<Endpoint> eps = new ArrayList<>();
        List<String> planted = new ArrayList<>();
        boolean proxy = true;
        for (int step = 0; step < 16; step++) {
            int op = rnd.nextInt(6);
            if (op <= 1 || nets.isEmpty()) {
                int id = step;
                nets.add(new Network("nsn-r" + id, "10.77." + id + ".0/24", rnd.nextInt(5) == 0, rnd.nextInt(4) != 0, true));
            } else if (op == 2) {
                Network gone = nets.remove(rnd.nextInt(nets.size()));
                eps.removeIf(e -> e.bridge().equals(gone.bridge()));
            } else if (op == 3) {
                Network n = nets.get(rnd.nextInt(nets.size()));
                eps.add(new Endpoint(n.prefix().addressString().replaceAll("\\.0$", "." + (2 + step)), n.bridge(),
                        List.of(new PublishedPort(null, 9000 + step, 80, rnd.nextBoolean() ? Protocol.TCP : Protocol.UDP))));
            } else if (op == 4 && !eps.isEmpty()) {
                eps.remove(rnd.nextInt(eps.size()));
            } else {
                String iface = "fx" + step;
                in(ns, v.iptables(), "-I", "FORWARD", String.valueOf(1 + rnd.nextInt(3)), "-i", iface, "-j", "ACCEPT");
                planted.add("-i " + iface + " -j ACCEPT");
                proxy = !proxy;
            }
            FirewallState s = new FirewallState("NSNET", proxy, nets, eps);
            if (rnd.nextBoolean()) {
                applier.applyIncremental(s);
            } else {
                applier.apply(s);
            }
            Ruleset live = SaveFormat.parse(observe(ns, v));
            DesiredRuleset d = RulesetGenerator.generate(s);
            Ownership own = new Ownership(d.names(), nets);
            for (ChainPlan p : d.plans()) {
                if (p.kind() == ChainPlan.Kind.ADMIN) {
                    continue;
                }
                assertThat(live.table(p.table()).rules(p.chain()).stream()
                        .filter(r -> p.kind() != ChainPlan.Kind.BUILTIN || own.isNsnet(r)).map(Rule::spec).toList())
                        .as("step %d %s %s", step, p.table(), p.chain())
                        .containsExactlyElementsOf(p.rules().stream().map(RuleSpec::spec).toList());
            }
            List<String> foreignForward = live.table(io.nsnet.agent.firewall.model.TableName.FILTER).rules("FORWARD").stream()
                    .map(Rule::spec).filter(x -> x.startsWith("-i fx") || x.startsWith("-s 192.0.2.0/24")).toList();
            assertThat(foreignForward).as("step %d foreign rules", step).containsExactlyInAnyOrderElementsOf(
                    java.util.stream.Stream.concat(planted.stream(), java.util.stream.Stream.of("-s 192.0.2.0/24 -j DROP")).toList());
            assertThat(RestorePlanner.plan(live, d, own).isEmpty()).as("step %d re-plan", step).isTrue();
        }
        applier.teardown(List.of());
        for (String rule : planted) {
            List<String> argv = new ArrayList<>(List.of(v.iptables(), "-D", "FORWARD"));
            argv.addAll(List.of(rule.split(" ")));
            in(ns, argv.toArray(String[]::new));
        }
        assertThat(observe(ns, v)).isEqualTo(baseline);
    }

    @ParameterizedTest
    @EnumSource(KernelBackend.class)
    void pristineNamespaceReturnsToNothing(KernelBackend b) {
        IptablesVariant v = b.variant();
        String ns = namespaces.create("p" + b.name().toLowerCase(java.util.Locale.ROOT));
        String baseline = observe(ns, v);
        Counting exec = execIn(ns);
        FirewallApplier applier = b.applier(exec, handle, "NSNET");
        applier.apply(new FirewallState("NSNET", true, List.of(Network.bridge("nsnet0", "172.17.0.0/16")),
                List.of(new Endpoint("172.17.0.2", "nsnet0", List.of(PublishedPort.tcp(8080, 80))))));
        applier.teardown(List.of());
        if (v == IptablesVariant.NFT) {
            assertThat(observe(ns, v)).isEqualTo(baseline);
        } else {
            // Legacy tables, once instantiated in a namespace, cannot be removed: only empty ones may remain.
            assertThat(observe(ns, v).lines().filter(l -> l.startsWith("-A") || l.contains(" - "))).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(IptablesVariant.class)
    void detectionFollowsTheVariantThatHoldsRules(IptablesVariant v) {
        String ns = namespaces.create("d" + v.name().toLowerCase(java.util.Locale.ROOT));
        in(ns, v.iptables(), "-A", "INPUT", "-s", "192.0.2.1/32", "-j", "DROP");
        Counting exec = execIn(ns);
        assertThat(BackendDetector.detect(exec, BackendChoice.AUTO)).isEqualTo(v);
        // auto takes the in-process backend of the host's tables: nftables for nft, libiptc for legacy (if it loads)
        BackendDetector.Access expected = v == IptablesVariant.NFT ? BackendDetector.Access.NFTABLES
                : LibiptcBackend.available() ? BackendDetector.Access.LIBIPTC : BackendDetector.Access.PROCESS;
        assertThat(BackendDetector.choose(exec, BackendChoice.AUTO, LibiptcBackend::available))
                .isEqualTo(new BackendDetector.Choice(v, expected));
        assertThat(FirewallApplier.create(handle, exec, BackendChoice.AUTO, "NSNET").backendName())
                .isEqualTo(v == IptablesVariant.LEGACY ? "libiptc" : "nftables");
    }

    /**
     * Live equals desired: nsnet's rules in each chain are exactly the generator's, in order; foreign rules are
     * where they were; a fresh plan is empty. With {@code baseline} given, the foreign part is compared with it.
     */
    private static void assertConverged(String ns, IptablesVariant v, FirewallState s, String baseline, String userRule) {
        Ruleset live = SaveFormat.parse(observe(ns, v));
        DesiredRuleset d = RulesetGenerator.generate(s);
        Ownership own = new Ownership(d.names(), s.networks());
        for (ChainPlan p : d.plans()) {
            List<Rule> rules = live.table(p.table()).rules(p.chain());
            if (p.kind() == ChainPlan.Kind.ADMIN) {
                assertThat(rules).extracting(Rule::spec).endsWith("-j RETURN");
                continue;
            }
            List<String> nsnet = rules.stream().filter(r -> p.kind() != ChainPlan.Kind.BUILTIN || own.isNsnet(r))
                    .map(Rule::spec).toList();
            assertThat(nsnet).as("%s %s", p.table(), p.chain())
                    .containsExactlyElementsOf(p.rules().stream().map(RuleSpec::spec).toList());
        }
        assertThat(live.table(io.nsnet.agent.firewall.model.TableName.FILTER).rules("FORWARD").get(0).spec())
                .isIn("-j NSNET-USER", "-i eth8 -j ACCEPT");
        assertThat(RestorePlanner.plan(live, d, own).isEmpty()).as("re-plan on the live ruleset").isTrue();
        String text = observe(ns, v);
        assertThat(text).contains("-A FORWARD -s 192.0.2.0/24 -j DROP", "-A FORWARD -i eth9 -m comment --comment \"admin rule\" -j ACCEPT",
                "-A POSTROUTING -s 198.51.100.0/24 -o eth9 -j MASQUERADE",
                "-A PREROUTING -p tcp -m tcp --dport 2222 -j DNAT --to-destination 198.51.100.7:22");
        assertThat(text).contains(userRule);
        if (baseline != null) {
            assertThat(text.indexOf("-A FORWARD -s 192.0.2.0/24 -j DROP"))
                    .isLessThan(text.indexOf("-A FORWARD -i eth9 -m comment"));
        }
    }
}
