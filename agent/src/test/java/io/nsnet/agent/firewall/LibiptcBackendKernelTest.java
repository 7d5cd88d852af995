package io.nsnet.agent.firewall;

import static io.nsnet.agent.firewall.KernelNamespaces.in;
import static io.nsnet.agent.firewall.KernelNamespaces.observe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nsnet.agent.firewall.model.ForeignRule;
import io.nsnet.agent.firewall.model.RuleSpec;
import io.nsnet.agent.firewall.model.Ruleset;
import io.nsnet.agent.firewall.model.SaveFormat;
import io.nsnet.agent.firewall.model.TableName;
import io.nsnet.netns.NetNs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The libiptc backend against iptables-legacy in throwaway namespaces {@code nst-fw-*}: what it reads equals
 * what the iptables-save parser makes of {@code iptables-legacy-save}, rule for rule; failures commit nothing.
 */
@Tag("kernel")
class LibiptcBackendKernelTest {

    private KernelNamespaces namespaces;
    private NetNs handle;

    @BeforeEach
    void setUp() {
        Assumptions.assumeTrue(KernelNamespaces.usable() && LibiptcBackend.available(), "needs root, iptables and libip4tc2");
        namespaces = new KernelNamespaces();
    }

    @AfterEach
    void tearDown() {
        if (handle != null) {
            handle.close();
        }
        if (namespaces != null) {
            namespaces.close();
        }
    }

    private LibiptcBackend backendIn(String ns) {
        handle = NetNs.open(ns);
        return new LibiptcBackend(handle);
    }

    @Test
    void readsWhatTheSaveParserReadsRuleForRule() {
        String ns = namespaces.create("lread");
        // The whole layout, written by iptables-legacy-restore itself, plus foreign rules of other shapes.
        for (FirewallState s : IptcRuleCodecTest.layouts()) {
            RestorePlan plan = RestorePlanner.plan(SaveFormat.parse(observe(ns, IptablesVariant.LEGACY)),
                    RulesetGenerator.generate(s), new Ownership(new ChainNames("DOCKER"), s.networks()));
            KernelNamespaces.restore(ns, IptablesVariant.LEGACY, plan.script());
        }
        in(ns, "iptables-legacy", "-A", "FORWARD", "-p", "tcp", "--sport", "22", "-j", "LOG", "--log-prefix", "x ");
        in(ns, "iptables-legacy", "-A", "FORWARD", "-m", "comment", "--comment", "a \"quoted\" one", "-j", "DROP");
        in(ns, "iptables-legacy", "-A", "FORWARD", "-m", "conntrack", "--ctstate", "NEW", "-m", "addrtype", "--src-type", "LOCAL", "-j", "ACCEPT");
        in(ns, "iptables-legacy", "-A", "FORWARD", "!", "-p", "udp", "-j", "ACCEPT");
        in(ns, "iptables-legacy", "-A", "FORWARD", "-m", "mark", "--mark", "1", "-j", "ACCEPT");
        in(ns, "iptables-legacy", "-A", "FORWARD", "-i", "veth+", "-j", "REJECT");
        in(ns, "iptables-legacy", "-t", "nat", "-A", "POSTROUTING", "-o", "eth0", "-j", "MASQUERADE", "--random");
        in(ns, "iptables-legacy", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "1", "-j", "DNAT",
                "--to-destination", "10.0.0.1-10.0.0.2");
        in(ns, "iptables-legacy", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "2", "-j", "DNAT",
                "--to-destination", "10.0.0.1");
        in(ns, "iptables-legacy", "-P", "FORWARD", "DROP");

        Ruleset bySave = SaveFormat.parse(observe(ns, IptablesVariant.LEGACY));
        Ruleset byLibiptc = backendIn(ns).readLive();
        int[] counts = KernelNamespaces.assertSameAsSave(bySave, byLibiptc);
        int specs = counts[0];
        int foreign = counts[1];
        assertThat(specs).isGreaterThan(40);
        // LOG, conntrack before addrtype, ! -p, mark, REJECT, MASQUERADE --random; the quoted comment and both
        // DNAT forms (a range; no port) are in the model and read as the same RuleSpec.
        assertThat(foreign).isEqualTo(6);
    }

    @Test
    void readingDoesNotInstantiateTables() {
        String ns = namespaces.create("lfresh");
        assertThat(backendIn(ns).readLive().tables()).isEmpty();
        assertThat(in(ns, "cat", "/proc/net/ip_tables_names")).isEmpty();
    }

    @Test
    void aFailingCommandCommitsNothingForItsTableAndSaysWhich() {
        String ns = namespaces.create("lfail");
        in(ns, "iptables-legacy", "-A", "FORWARD", "-i", "eth9", "-j", "ACCEPT");
        String before = observe(ns, IptablesVariant.LEGACY);
        LibiptcBackend b = backendIn(ns);
        RestorePlan plan = new RestorePlan("*filter\n-A FORWARD -o x -j DROP\n-D FORWARD -i nothere -j DROP\nCOMMIT\n", 2,
                new Ruleset(Map.of()), false);
        assertThatThrownBy(() -> b.commit(plan)).isInstanceOf(FirewallException.class)
                .hasMessageContaining("-D FORWARD -i nothere -j DROP").hasMessageContaining("nothing committed");
        assertThat(observe(ns, IptablesVariant.LEGACY)).isEqualTo(before);
    }

    @Test
    void aForeignRuleInAnOwnedChainIsRemovedAndAdminRulesInUserStay() {
        String ns = namespaces.create("lown");
        FirewallApplier applier = new FirewallApplier(backendIn(ns), IptablesVariant.LEGACY, "NSNET");
        FirewallState s = new FirewallState("NSNET", true, List.of(FirewallState.Network.bridge("nsnet0", "172.17.0.0/16")),
                List.of(new FirewallState.Endpoint("172.17.0.2", "nsnet0", List.of(FirewallState.PublishedPort.tcp(8080, 80)))));
        applier.apply(s);
        String converged = observe(ns, IptablesVariant.LEGACY);
        in(ns, "iptables-legacy", "-A", "NSNET", "-j", "LOG");
        in(ns, "iptables-legacy", "-I", "NSNET-USER", "-p", "tcp", "--sport", "9", "-j", "LOG");
        assertThat(applier.apply(s).script()).contains("-D NSNET <libiptc").doesNotContain("NSNET-USER");
        assertThat(observe(ns, IptablesVariant.LEGACY)).isEqualTo(converged.replace("-A NSNET-USER -j RETURN",
                "-A NSNET-USER -p tcp -m tcp --sport 9 -j LOG\n-A NSNET-USER -j RETURN"));
    }

    @Test
    void entriesNoIptablesWouldWriteAreForeignNotFatal() {
        String ns = namespaces.create("lraw");
        FirewallApplier applier = new FirewallApplier(backendIn(ns), IptablesVariant.LEGACY, "NSNET");
        FirewallState s = new FirewallState("NSNET", true, List.of(FirewallState.Network.bridge("nsnet0", "172.17.0.0/16")),
                List.of());
        applier.apply(s);
        String converged = observe(ns, IptablesVariant.LEGACY);
        // -s 10.1.2.3 with mask /8 and the host bits left in: libiptc takes it, iptables never writes it.
        byte[] odd = io.nsnet.iptc.IptEntryCodec.encode(new io.nsnet.iptc.IptEntry(
                io.nsnet.iptc.IptIp.ANY.withSource(0x0A000000, 0xFF000000, false), List.of(), io.nsnet.iptc.XtTarget.Verdict.DROP));
        odd[3] = 3; // src is big-endian at offset 0: 10.0.0.3
        handle.run(() -> {
            try (io.nsnet.iptc.IptcHandle h = io.nsnet.iptc.IptcHandle.open("filter")) {
                h.append("FORWARD", odd);
                h.append("NSNET", odd);
                h.commit();
            }
        });
        Ruleset live = applier.readLive();
        assertThat(live.table(TableName.FILTER).rules("NSNET")).last().isInstanceOf(ForeignRule.class);
        assertThat(live.table(TableName.FILTER).rules("NSNET").get(live.table(TableName.FILTER).rules("NSNET").size() - 1).spec())
                .startsWith("<libiptc raw ");
        // The next apply removes it from nsnet's own chain and leaves the one in FORWARD alone.
        assertThat(applier.apply(s).changed()).isTrue();
        String after = observe(ns, IptablesVariant.LEGACY);
        assertThat(after.lines().filter(l -> l.startsWith("-A NSNET ")).toList())
                .isEqualTo(converged.lines().filter(l -> l.startsWith("-A NSNET ")).toList());
        assertThat(after).contains("-A FORWARD -s 10.0.0.3/8 -j DROP");
        assertThat(applier.apply(s).changed()).isFalse();
    }

    @Test
    void commitsWaitForTheXtablesLockLikeIptablesDashW() throws Exception {
        String ns = namespaces.create("llock");
        LibiptcBackend b = backendIn(ns);
        Process holder = new ProcessBuilder("flock", io.nsnet.iptc.XtablesLock.path(), "sleep", "1").start();
        Thread.sleep(200);
        long t0 = System.nanoTime();
        b.commit(new RestorePlan("*filter\n:NSNET-T - [0:0]\nCOMMIT\n", 1, new Ruleset(Map.of()), false));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        holder.waitFor();
        assertThat(ms).isGreaterThan(500);
        assertThat(observe(ns, IptablesVariant.LEGACY)).contains(":NSNET-T - [0:0]");
    }
}
