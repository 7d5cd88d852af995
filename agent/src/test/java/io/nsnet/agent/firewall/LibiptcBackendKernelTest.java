package io.nsnet.agent.firewall;

import static io.nsnet.agent.firewall.KernelNamespaces.in;
import static io.nsnet.agent.firewall.KernelNamespaces.observe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nsnet.agent.firewall.model.Chain;
import io.nsnet.agent.firewall.model.ForeignRule;
import io.nsnet.agent.firewall.model.Rule;
import io.nsnet.agent.firewall.model.RuleSpec;
import io.nsnet.agent.firewall.model.Ruleset;
import io.nsnet.agent.firewall.model.SaveFormat;
import io.nsnet.agent.firewall.model.Table;
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
            restore(ns, plan.script());
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
        int specs = 0;
        int foreign = 0;
        for (TableName t : TableName.values()) {
            Table a = bySave.table(t);
            Table b = byLibiptc.table(t);
            assertThat(b.chains().keySet()).as("%s chains", t).containsExactlyInAnyOrderElementsOf(a.chains().keySet());
            for (Chain c : a.chains().values()) {
                Chain d = b.chain(c.name());
                assertThat(d.policy()).as("%s policy", c.name()).isEqualTo(c.policy());
                assertThat(d.rules()).as("%s %s", t, c.name()).hasSameSizeAs(c.rules());
                for (int i = 0; i < c.rules().size(); i++) {
                    Rule x = c.rules().get(i);
                    Rule y = d.rules().get(i);
                    if (x instanceof RuleSpec) {
                        assertThat(y).as("%s #%d", x.spec(), i).isInstanceOf(RuleSpec.class);
                        assertThat(y.spec()).isEqualTo(x.spec());
                        specs++;
                    } else {
                        assertThat(y).as("%s #%d", x.spec(), i).isInstanceOf(ForeignRule.class);
                        foreign++;
                    }
                }
            }
        }
        assertThat(specs).isGreaterThan(40);
        // LOG, conntrack before addrtype, ! -p, mark, REJECT, MASQUERADE --random; the quoted comment and both
        // DNAT forms (a range; no port) are in the model and read as the same RuleSpec.
        assertThat(foreign).isEqualTo(6);
    }

    private static void restore(String ns, String script) {
        java.nio.file.Path f;
        try {
            f = java.nio.file.Files.createTempFile("nsnet-restore", ".txt");
            java.nio.file.Files.writeString(f, script);
            in(ns, "iptables-legacy-restore", "--noflush", f.toString());
            java.nio.file.Files.delete(f);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
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
