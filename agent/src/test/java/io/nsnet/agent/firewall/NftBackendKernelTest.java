package io.nsnet.agent.firewall;

import static io.nsnet.agent.firewall.KernelNamespaces.in;
import static io.nsnet.agent.firewall.KernelNamespaces.observe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
 * The nftables backend against iptables-nft in throwaway namespaces {@code nst-fw-*}.
 *
 * <p>The encoding test is the golden one: iptables-nft-restore itself writes Docker's whole layout (both proxy
 * layouts) and the backend must read every rule as the RuleSpec the iptables-save parser reads from
 * iptables-nft-save. Decoding is exact or nothing ({@code IptablesNft#decode} re-encodes and compares), so
 * each RuleSpec read also proves that nsnet's encoding of that rule equals, expression for expression, what
 * iptables-nft writes.
 */
@Tag("kernel")
class NftBackendKernelTest {

    private KernelNamespaces namespaces;
    private NetNs handle;

    @BeforeEach
    void setUp() {
        Assumptions.assumeTrue(KernelNamespaces.usable(), "needs root and iptables");
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

    private NftBackend backendIn(String ns) {
        handle = NetNs.open(ns);
        return new NftBackend(handle);
    }

    @Test
    void readsWhatIptablesNftWritesAsTheSaveParserReadsIt() {
        String ns = namespaces.create("nread");
        for (FirewallState s : IptcRuleCodecTest.layouts()) {
            RestorePlan plan = RestorePlanner.plan(SaveFormat.parse(observe(ns, IptablesVariant.NFT)),
                    RulesetGenerator.generate(s), new Ownership(new ChainNames("DOCKER"), s.networks()));
            KernelNamespaces.restore(ns, IptablesVariant.NFT, plan.script());
        }
        in(ns, "iptables-nft", "-A", "FORWARD", "-p", "tcp", "--sport", "22", "-j", "LOG", "--log-prefix", "x ");
        in(ns, "iptables-nft", "-A", "FORWARD", "-m", "comment", "--comment", "a \"quoted\" one", "-j", "DROP");
        in(ns, "iptables-nft", "-A", "FORWARD", "-m", "conntrack", "--ctstate", "NEW", "-m", "addrtype", "--src-type", "LOCAL", "-j", "ACCEPT");
        in(ns, "iptables-nft", "-A", "FORWARD", "!", "-p", "udp", "-j", "ACCEPT");
        in(ns, "iptables-nft", "-A", "FORWARD", "-s", "10.1.0.0/17", "!", "-d", "10.2.3.4/32", "-i", "veth+", "-j", "DROP");
        in(ns, "iptables-nft", "-A", "FORWARD", "-m", "mark", "--mark", "1", "-j", "ACCEPT");
        in(ns, "iptables-nft", "-A", "FORWARD", "-i", "veth+", "-j", "REJECT");
        in(ns, "iptables-nft", "-t", "nat", "-A", "POSTROUTING", "-o", "eth0", "-j", "MASQUERADE", "--random");
        in(ns, "iptables-nft", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "2", "-j", "DNAT",
                "--to-destination", "10.0.0.1");
        in(ns, "iptables-nft", "-P", "FORWARD", "DROP");
        // A rule only nft can write: foreign, never fatal.
        in(ns, "nft", "add", "rule", "ip", "filter", "FORWARD", "meta", "mark", "0x2", "counter", "accept");

        Ruleset bySave = SaveFormat.parse(observe(ns, IptablesVariant.NFT));
        Ruleset byNft = backendIn(ns).readLive();
        int[] counts = KernelNamespaces.assertSameAsSave(bySave, byNft);
        int specs = counts[0];
        int foreign = counts[1];
        assertThat(specs).isGreaterThan(40);
        // LOG, conntrack before addrtype, ! -p, mark, REJECT, MASQUERADE --random, and nft's own rule.
        assertThat(foreign).isEqualTo(7);
    }

    @Test
    void whatItWritesIptablesNftSavePrintsAsPlannedAndCanDelete() {
        String ns = namespaces.create("nwrite");
        FirewallApplier applier = new FirewallApplier(backendIn(ns), IptablesVariant.NFT, "DOCKER");
        for (FirewallState s : IptcRuleCodecTest.layouts()) {
            applier.apply(s);
            Ruleset live = SaveFormat.parse(observe(ns, IptablesVariant.NFT));
            RestorePlan again = RestorePlanner.plan(live, RulesetGenerator.generate(s),
                    new Ownership(new ChainNames("DOCKER"), s.networks()));
            assertThat(again.isEmpty()).as("iptables-nft-save shows exactly the plan:\n%s", again.script()).isTrue();
        }
        // iptables-nft finds nsnet's rules by their spec, as it would its own.
        in(ns, "iptables-nft", "-t", "nat", "-D", "POSTROUTING", "-s", "172.18.0.0/16", "!", "-o", "br-a", "-j", "MASQUERADE");
        in(ns, "iptables-nft", "-D", "FORWARD", "-o", "docker0", "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT");
    }

    /**
     * The backend answers reads from its own mirror while nobody else commits; after each of its commits the mirror
     * (new rules with the handles the kernel echoed, changed chains' rule lists kept in step) must be exactly what
     * reading the kernel gives, and a later delete by one of those handles must hit the right rule.
     */
    @Test
    void afterItsOwnCommitsTheMirrorIsWhatAFreshReadSees() {
        String ns = namespaces.create("nmirror");
        NftBackend backend = backendIn(ns);
        FirewallApplier applier = new FirewallApplier(backend, IptablesVariant.NFT, "NSNET");
        List<FirewallState.Network> nets = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            nets.add(FirewallState.Network.bridge("nsm" + i, "10.9." + i + ".0/24"));
            applier.apply(new FirewallState("NSNET", true, nets, List.of()));
            assertMirrorIsKernel(ns, backend);
        }
        applier.apply(new FirewallState("NSNET", true, nets, List.of(new FirewallState.Endpoint("10.9.1.2", "nsm1",
                List.of(FirewallState.PublishedPort.tcp(8080, 80))))));
        assertMirrorIsKernel(ns, backend);
        nets.remove(1);
        applier.apply(new FirewallState("NSNET", true, nets, List.of()));
        assertMirrorIsKernel(ns, backend);
        // A rule added in one commit and deleted by its handle in the next; one added and deleted in the same batch.
        backend.commit(new RestorePlan("*filter\n-A FORWARD -i x1 -j DROP\n-I FORWARD -i x2 -j DROP\nCOMMIT\n", 2,
                new Ruleset(Map.of()), false));
        assertMirrorIsKernel(ns, backend);
        backend.commit(new RestorePlan("*filter\n-D FORWARD -i x1 -j DROP\n-A INPUT -i x3 -j DROP\n"
                + "-D INPUT -i x3 -j DROP\n-I FORWARD 2 -i x4 -j DROP\nCOMMIT\n", 4, new Ruleset(Map.of()), true));
        assertMirrorIsKernel(ns, backend);
        assertThat(observe(ns, IptablesVariant.NFT)).doesNotContain("x1", "x3").contains("-A FORWARD -i x2 -j DROP\n"
                + "-A FORWARD -i x4 -j DROP\n");
        applier.teardown(List.of());
        assertMirrorIsKernel(ns, backend);
    }

    private static void assertMirrorIsKernel(String ns, NftBackend backend) {
        Ruleset mirror = backend.readLive();
        try (NetNs other = NetNs.open(ns)) {
            assertThat(SaveFormat.render(mirror)).isEqualTo(SaveFormat.render(new NftBackend(other).readLive()));
        }
    }

    @Test
    void aChangeByAnotherWriterBetweenReadAndCommitIsReplannedNotClobbered() {
        String ns = namespaces.create("nrace");
        NftBackend backend = backendIn(ns);
        FirewallApplier applier = new FirewallApplier(backend, IptablesVariant.NFT, "NSNET");
        FirewallState one = new FirewallState("NSNET", true, List.of(FirewallState.Network.bridge("nsnet0", "172.17.0.0/16")), List.of());
        applier.apply(one);
        // The backend's view is now current; someone inserts at the top of FORWARD behind its back. A plan made
        // on the old view ("below nsnet's first jump") would land wrongly: the commit applies nothing and says so.
        backend.readLive();
        in(ns, "iptables-nft", "-I", "FORWARD", "-i", "eth7", "-j", "ACCEPT");
        String before = observe(ns, IptablesVariant.NFT);
        RestorePlan stale = new RestorePlan("*filter\n-I FORWARD 2 -i x -j DROP\nCOMMIT\n", 1, new Ruleset(Map.of()), true);
        assertThatThrownBy(() -> backend.commit(stale)).isInstanceOf(NftBackend.ConcurrentChangeException.class);
        assertThat(observe(ns, IptablesVariant.NFT)).isEqualTo(before);
        // After a fresh read the same script means what it says on the new ruleset.
        assertThat(backend.readLive().table(TableName.FILTER).chain("FORWARD").rules().get(0).spec()).isEqualTo("-i eth7 -j ACCEPT");
        backend.commit(stale);
        assertThat(observe(ns, IptablesVariant.NFT)).contains("-A FORWARD -i eth7 -j ACCEPT\n-A FORWARD -i x -j DROP\n");

        // Through the applier: a second network while a third party keeps committing still converges.
        FirewallState two = new FirewallState("NSNET", true, List.of(FirewallState.Network.bridge("nsnet0", "172.17.0.0/16"),
                FirewallState.Network.bridge("nsn-b", "172.18.0.0/16")), List.of());
        in(ns, "iptables-nft", "-A", "FORWARD", "-i", "eth5", "-j", "ACCEPT");
        applier.applyIncremental(two);
        Ruleset live = SaveFormat.parse(observe(ns, IptablesVariant.NFT));
        assertThat(RestorePlanner.plan(live, RulesetGenerator.generate(two),
                new Ownership(new ChainNames("NSNET"), two.networks())).isEmpty()).isTrue();
        assertThat(observe(ns, IptablesVariant.NFT)).contains("-A FORWARD -i eth5 -j ACCEPT");
    }

    @Test
    void aFailingCommandCommitsNothingAndSaysWhich() {
        String ns = namespaces.create("nfail");
        in(ns, "iptables-nft", "-A", "FORWARD", "-i", "eth9", "-j", "ACCEPT");
        String before = observe(ns, IptablesVariant.NFT);
        NftBackend b = backendIn(ns);
        RestorePlan plan = new RestorePlan("*filter\n-A FORWARD -o x -j DROP\n-D FORWARD -i nothere -j DROP\nCOMMIT\n", 2,
                new Ruleset(Map.of()), false);
        assertThatThrownBy(() -> b.commit(plan)).isInstanceOf(FirewallException.class)
                .hasMessageContaining("-D FORWARD -i nothere -j DROP").hasMessageContaining("nothing committed");
        RestorePlan refused = new RestorePlan("*filter\n-A FORWARD -o x -j DROP\n-A FORWARD -j NOSUCHCHAIN\nCOMMIT\n", 2,
                new Ruleset(Map.of()), false);
        assertThatThrownBy(() -> b.commit(refused)).isInstanceOf(FirewallException.class).hasMessageContaining("nothing committed")
                .hasMessageContaining("-A FORWARD -j NOSUCHCHAIN"); // the kernel's refusal names the restore line
        assertThat(observe(ns, IptablesVariant.NFT)).isEqualTo(before);
        // and the backend's view is still right afterwards
        b.commit(new RestorePlan("*filter\n-I FORWARD 2 -o y -j DROP\nCOMMIT\n", 1, new Ruleset(Map.of()), true));
        assertThat(observe(ns, IptablesVariant.NFT)).contains("-A FORWARD -i eth9 -j ACCEPT\n-A FORWARD -o y -j DROP\n");
    }

}
