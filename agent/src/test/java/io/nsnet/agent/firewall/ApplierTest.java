package io.nsnet.agent.firewall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nsnet.agent.firewall.FirewallState.Endpoint;
import io.nsnet.agent.firewall.FirewallState.Network;
import io.nsnet.agent.firewall.FirewallState.Protocol;
import io.nsnet.agent.firewall.FirewallState.PublishedPort;
import io.nsnet.agent.firewall.model.Rule;
import io.nsnet.agent.firewall.model.RuleSpec;
import io.nsnet.agent.firewall.model.Ruleset;
import io.nsnet.agent.firewall.model.TableName;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The applier and planner against {@link FakeIptables}: pure, no root. */
class ApplierTest {

    static final String FOREIGN_FILTER = """
            *filter
            :ADMIN - [0:0]
            -A FORWARD -s 192.0.2.0/24 -j DROP
            -A FORWARD -p tcp -m tcp --dport 22 -j LOG --log-prefix "ssh "
            -A ADMIN -j RETURN
            COMMIT
            *nat
            -A POSTROUTING -s 198.51.100.0/24 -o eth9 -j MASQUERADE
            -A PREROUTING -p tcp -m tcp --dport 2222 -j DNAT --to-destination 198.51.100.7:22
            COMMIT
            """;

    static Stream<org.junit.jupiter.params.provider.Arguments> dockerHistory() {
        return Stream.of(
                org.junit.jupiter.params.provider.Arguments.of((Object) new String[] {"02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "15"}),
                org.junit.jupiter.params.provider.Arguments.of((Object) new String[] {"20", "21", "22"}));
    }

    /**
     * Replays Docker's captured history through the applier, one apply per step; each step's result must be
     * the capture, which checks every -I position the planner computed, and teardown must empty everything.
     */
    @ParameterizedTest
    @MethodSource("dockerHistory")
    void replayingDockersHistoryReproducesEachCapture(String[] steps) throws Exception {
        FakeIptables fake = new FakeIptables();
        FirewallApplier applier = new FirewallApplier(fake, IptablesVariant.NFT, "DOCKER");
        var states = GoldenTest.steps().collect(java.util.stream.Collectors.toMap(a -> (String) a.get()[0], a -> (FirewallState) a.get()[1]));
        for (String step : steps) {
            applier.applyIncremental(states.get(step));
            assertThat(GoldenTest.significantLines(fake.save()))
                    .as("after step " + step)
                    .containsExactlyElementsOf(GoldenTest.significantLines(GoldenTest.resource("golden/" + step + "-iptables-nft-save.txt")));
            assertThat(applier.apply(states.get(step)).changed()).as("re-apply of " + step).isFalse();
        }
        applier.teardown(List.of());
        assertThat(fake.save()).isEmpty(); // nft: the emptied tables are dropped too
    }

    /** The explicit choice that rebuilds a process-based applier elsewhere (the warm-up's scratch namespace). */
    @Test
    void aProcessApplierNamesTheChoiceThatRebuildsIt() {
        assertThat(new FirewallApplier(new FakeIptables(), IptablesVariant.NFT, "NSNET").choice()).isEqualTo(BackendChoice.NFT);
        assertThat(new FirewallApplier(new FakeIptables(), IptablesVariant.LEGACY, "NSNET").choice())
                .isEqualTo(BackendChoice.LEGACY);
    }

    @Test
    void repeatedApplyRunsNoRestoreAndIncrementalRunsNothing() {
        FakeIptables fake = new FakeIptables();
        FirewallApplier applier = new FirewallApplier(fake, IptablesVariant.NFT, "NSNET");
        FirewallState s = state(true, 3, 2);
        assertThat(applier.apply(s).changed()).isTrue();
        int calls = fake.calls.size();
        ApplyResult again = applier.apply(s);
        assertThat(again.changed()).isFalse();
        assertThat(fake.calls.size()).isEqualTo(calls + 1); // the save only
        assertThat(fake.calls.get(fake.calls.size() - 1).get(0)).isEqualTo("iptables-nft-save");
        assertThat(applier.applyIncremental(s).changed()).isFalse();
        assertThat(fake.calls.size()).isEqualTo(calls + 1); // no process at all
    }

    @Test
    void flushedOwnedChainAndDeletedJumpAreRepairedByTheNextApply() {
        FakeIptables fake = new FakeIptables();
        FirewallApplier applier = new FirewallApplier(fake, IptablesVariant.LEGACY, "NSNET");
        FirewallState s = state(true, 2, 2);
        applier.apply(s);
        String good = fake.save();
        fake.restore("*filter\n-F NSNET\n-F NSNET-ISOLATION-STAGE-2\n-D FORWARD -j NSNET-USER\nCOMMIT\n*nat\n-F NSNET\nCOMMIT\n");
        assertThat(fake.save()).isNotEqualTo(good);
        assertThat(applier.apply(s).changed()).isTrue();
        assertThat(fake.save()).isEqualTo(good);
    }

    /**
     * A new network's FORWARD block belongs below nsnet's jumps. Legacy (cheap deletes): no read, the jumps are
     * re-asserted from the top. Small nft ruleset: a fresh read is cheaper than an nft delete, so it reads.
     * Either way a foreign rule inserted behind the applier's back cannot push the block above the jumps.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(IptablesVariant.class)
    void incrementalNetworkAddKeepsJumpsFirstDespiteAForeignTopRule(IptablesVariant v) {
        FakeIptables fake = new FakeIptables();
        FirewallApplier applier = new FirewallApplier(fake, v, "NSNET");
        applier.apply(state(true, 2, 1));
        fake.restore("*filter\n-I FORWARD 1 -i eth7 -j ACCEPT\nCOMMIT\n"); // behind the applier's back
        int calls = fake.calls.size();
        ApplyResult r = applier.applyIncremental(state(true, 3, 1));
        if (v == IptablesVariant.LEGACY) {
            assertThat(r.readLive()).isFalse();
            assertThat(fake.calls).hasSize(calls + 1); // one restore, no save
            assertThat(r.script()).doesNotContainPattern("-I FORWARD \\d");
        } else {
            assertThat(r.readLive()).isTrue();
            assertThat(fake.calls).hasSize(calls + 2);
        }
        List<String> forward = fake.ruleset().table(TableName.FILTER).rules("FORWARD").stream().map(Rule::spec).toList();
        assertThat(forward).contains("-i eth7 -j ACCEPT");
        List<String> nsnetFirst = forward.stream().filter(x -> !x.equals("-i eth7 -j ACCEPT")).limit(3).toList();
        assertThat(nsnetFirst).containsExactly("-j NSNET-USER", "-j NSNET-ISOLATION-STAGE-1",
                "-o nsn-2 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
        assertThat(forward.indexOf("-o nsn-2 -j NSNET")).isLessThan(forward.indexOf("-o nsn-1 -j NSNET"));
        assertThat(applier.apply(state(true, 3, 1)).changed()).isFalse(); // a full read agrees
    }

    @Test
    void incrementalFallsBackToAFullReadWhenTheCacheIsStale() {
        FakeIptables fake = new FakeIptables();
        FirewallApplier applier = new FirewallApplier(fake, IptablesVariant.NFT, "NSNET");
        applier.apply(state(true, 3, 1));
        fake.restore("*filter\n-F FORWARD\nCOMMIT\n"); // behind the applier's back
        applier.applyIncremental(state(true, 2, 1)); // its -D no longer fits: falls back
        FakeIptables reference = new FakeIptables();
        new FirewallApplier(reference, IptablesVariant.NFT, "NSNET").apply(state(true, 2, 1));
        assertThat(fake.save()).isEqualTo(reference.save());
    }

    /**
     * Random walks over add/remove of networks and ports, in both layouts, with foreign rules planted around
     * nsnet's (and inside P-USER) at random points: foreign rules keep their order and presence, nsnet's rules
     * are exactly the generator's, in order, and a re-plan is empty.
     */
    @Test
    void randomChangesKeepForeignRulesAndConvergeExactly() {
        for (int seed = 1; seed <= 40; seed++) {
            Random rnd = new Random(seed);
            FakeIptables fake = new FakeIptables();
            // Odd seeds: legacy, whose incremental path plans position-free against its cache.
            FirewallApplier applier = new FirewallApplier(fake, seed % 2 == 0 ? IptablesVariant.NFT : IptablesVariant.LEGACY, "NSNET");
            boolean proxy = rnd.nextBoolean();
            List<Network> nets = new ArrayList<>();
            List<Endpoint> eps = new ArrayList<>();
            int nextId = 0;
            applier.apply(new FirewallState("NSNET", proxy, nets, eps));
            fake.restore(FOREIGN_FILTER);
            String baselineForeign = foreignOnly(fake.ruleset(), applier);
            for (int step = 0; step < 30; step++) {
                int op = rnd.nextInt(6);
                if (op <= 1 || nets.isEmpty()) {
                    int id = nextId++;
                    nets.add(new Network("nsn-" + id, "10." + (id / 200) + "." + (id % 200) + ".0/24",
                            rnd.nextInt(5) == 0, rnd.nextInt(4) != 0, rnd.nextInt(6) != 0));
                } else if (op == 2) {
                    Network gone = nets.remove(rnd.nextInt(nets.size()));
                    eps.removeIf(e -> e.bridge().equals(gone.bridge()));
                } else if (op == 3) {
                    Network n = nets.get(rnd.nextInt(nets.size()));
                    String ip = n.prefix().addressString().replaceAll("\\.0$", "." + (2 + rnd.nextInt(200)));
                    eps.add(new Endpoint(ip, n.bridge(), List.of(
                            new PublishedPort(rnd.nextBoolean() ? null : "203.0.113.5", 1000 + rnd.nextInt(5000),
                                    80, rnd.nextBoolean() ? Protocol.TCP : Protocol.UDP))));
                } else if (op == 4 && !eps.isEmpty()) {
                    eps.remove(rnd.nextInt(eps.size()));
                } else {
                    // Someone else adds rules around ours, and into P-USER.
                    fake.restore("*filter\n-I FORWARD " + (1 + rnd.nextInt(3)) + " -i eth" + step + " -j ACCEPT\n"
                            + "-I NSNET-USER -s 192.0.2." + step + "/32 -j DROP\nCOMMIT\n"
                            + "*nat\n-A POSTROUTING -o eth" + step + " -j MASQUERADE\nCOMMIT\n");
                    baselineForeign = foreignOnly(fake.ruleset(), applier);
                }
                FirewallState s = new FirewallState("NSNET", proxy, nets, eps);
                if (rnd.nextBoolean()) {
                    applier.applyIncremental(s);
                } else {
                    applier.apply(s);
                }
                Ruleset live = fake.ruleset();
                assertThat(foreignOnly(live, applier)).as("seed %d step %d", seed, step).isEqualTo(baselineForeign);
                DesiredRuleset d = RulesetGenerator.generate(s);
                Ownership own = new Ownership(d.names(), nets);
                for (ChainPlan p : d.plans()) {
                    List<String> liveNsnet = live.table(p.table()).rules(p.chain()).stream()
                            .filter(r -> p.kind() != ChainPlan.Kind.BUILTIN || own.isNsnet(r)).map(Rule::spec).toList();
                    if (p.kind() != ChainPlan.Kind.ADMIN) {
                        assertThat(liveNsnet).as("seed %d step %d chain %s", seed, step, p.chain())
                                .containsExactlyElementsOf(p.rules().stream().map(RuleSpec::spec).toList());
                    }
                }
                assertThat(RestorePlanner.plan(live, d, own).isEmpty()).isTrue();
            }
            applier.teardown(List.of());
            String expected = baselineForeign.lines().filter(l -> !l.startsWith("FILTER NSNET-USER "))
                    .map(l -> l + "\n").collect(java.util.stream.Collectors.joining());
            assertThat(foreignOnly(fake.ruleset(), applier)).isEqualTo(expected);
            assertThat(fake.save()).doesNotContain("NSNET").doesNotContain("nsn-");
        }
    }

    @Test
    void teardownRestoresTheBaselineAndKeepsForeignRules() {
        FakeIptables fake = new FakeIptables();
        fake.restore(FOREIGN_FILTER);
        String baseline = fake.save();
        FirewallApplier applier = new FirewallApplier(fake, IptablesVariant.NFT, "NSNET");
        applier.apply(state(false, 4, 3));
        applier.apply(state(false, 2, 1));
        applier.teardown(List.of());
        assertThat(fake.save()).isEqualTo(baseline);
    }

    @Test
    void emptyStateKeepsBaseChainsLikeDocker() {
        FakeIptables fake = new FakeIptables();
        FirewallApplier applier = new FirewallApplier(fake, IptablesVariant.NFT, "NSNET");
        applier.apply(state(true, 3, 3));
        applier.apply(FirewallState.empty("NSNET", true));
        assertThat(GoldenTest.significantLines(fake.save())).containsExactly(
                "*filter", ":NSNET", ":NSNET-ISOLATION-STAGE-1", ":NSNET-ISOLATION-STAGE-2", ":NSNET-USER",
                "-A FORWARD -j NSNET-USER", "-A FORWARD -j NSNET-ISOLATION-STAGE-1",
                "-A NSNET-ISOLATION-STAGE-1 -j RETURN", "-A NSNET-ISOLATION-STAGE-2 -j RETURN", "-A NSNET-USER -j RETURN",
                "*nat", ":NSNET",
                "-A PREROUTING -m addrtype --dst-type LOCAL -j NSNET",
                "-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j NSNET");
    }

    @Test
    void networksDeletedWhileTheDaemonWasDownAreRemovedWhenNamedAsRetired() {
        FakeIptables fake = new FakeIptables();
        new FirewallApplier(fake, IptablesVariant.NFT, "NSNET").apply(state(true, 3, 3));
        FirewallState fewer = state(true, 1, 1);
        FirewallApplier restarted = new FirewallApplier(fake, IptablesVariant.NFT, "NSNET");
        List<Network> retired = state(true, 3, 3).networks().subList(1, 3);
        restarted.apply(fewer, retired);
        FakeIptables reference = new FakeIptables();
        new FirewallApplier(reference, IptablesVariant.NFT, "NSNET").apply(fewer);
        assertThat(fake.save()).isEqualTo(reference.save());
    }

    @Test
    void switchingTheProxyLayoutReplacesTheOutputJump() {
        FakeIptables fake = new FakeIptables();
        FirewallApplier applier = new FirewallApplier(fake, IptablesVariant.NFT, "NSNET");
        applier.apply(state(true, 2, 2));
        applier.apply(state(false, 2, 2));
        FakeIptables reference = new FakeIptables();
        new FirewallApplier(reference, IptablesVariant.NFT, "NSNET").apply(state(false, 2, 2));
        assertThat(fake.save()).isEqualTo(reference.save());
    }

    @Test
    void anAdministratorsRuleAboutAnNsnetBridgeIsNotNsnets() {
        Network n = Network.bridge("nsn-1", "10.9.0.0/24");
        Ownership own = new Ownership(new ChainNames("NSNET"), List.of(n));
        assertThat(own.isNsnet(io.nsnet.agent.firewall.model.RuleParser.parse("-i nsn-1 -p tcp -m tcp --dport 22 -j DROP"))).isFalse();
        assertThat(own.isNsnet(io.nsnet.agent.firewall.model.RuleParser.parse("-i nsn-1 ! -o nsn-1 -j ACCEPT"))).isTrue();
        assertThat(own.isNsnet(io.nsnet.agent.firewall.model.RuleParser.parse(
                "-s 10.9.0.5/32 -d 10.9.0.5/32 -p tcp -m tcp --dport 80 -j MASQUERADE"))).isTrue();
        assertThat(own.isNsnet(io.nsnet.agent.firewall.model.RuleParser.parse(
                "-s 10.8.0.5/32 -d 10.8.0.5/32 -p tcp -m tcp --dport 80 -j MASQUERADE"))).isFalse();
    }

    @Test
    void aFailedRestoreReportsTheFailingLine() {
        IptablesExec failing = (argv, stdin) -> argv.get(0).endsWith("-save")
                ? new IptablesExec.Result(0, "", "")
                : new IptablesExec.Result(2, "", "iptables-restore: line 3 failed");
        FirewallApplier applier = new FirewallApplier(failing, IptablesVariant.LEGACY, "NSNET");
        assertThatThrownBy(() -> applier.apply(state(true, 1, 0)))
                .isInstanceOf(FirewallException.class)
                .hasMessageContaining("iptables-legacy-restore failed (exit 2)")
                .hasMessageContaining("failing input line 3: ");
    }

    @Test
    void missingIptablesGivesAnInstallHint() {
        IptablesExec none = (argv, stdin) -> {
            throw new java.io.IOException("Cannot run program \"" + argv.get(0) + "\": error=2, No such file or directory");
        };
        assertThatThrownBy(() -> BackendDetector.detect(none, BackendChoice.AUTO)).hasMessageContaining("apt-get install iptables");
        assertThatThrownBy(() -> BackendDetector.detect(none, BackendChoice.LEGACY)).hasMessageContaining("apt-get install iptables");
    }

    @Test
    void detectionPrefersTheVariantThatHoldsRules() {
        IptablesExec legacyHasRules = (argv, stdin) -> switch (argv.get(0)) {
            case "iptables-legacy-save" -> new IptablesExec.Result(0, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n", "");
            case "iptables-nft-save" -> new IptablesExec.Result(0, "", "");
            default -> new IptablesExec.Result(0, "iptables v1.8.9 (nf_tables)", "");
        };
        assertThat(BackendDetector.detect(legacyHasRules, BackendChoice.AUTO)).isEqualTo(IptablesVariant.LEGACY);
        IptablesExec noneHasRules = (argv, stdin) -> argv.get(0).equals("iptables")
                ? new IptablesExec.Result(0, "iptables v1.8.9 (legacy)", "") : new IptablesExec.Result(0, "", "");
        assertThat(BackendDetector.detect(noneHasRules, BackendChoice.AUTO)).isEqualTo(IptablesVariant.LEGACY);
        assertThat(BackendDetector.detect(noneHasRules, BackendChoice.NFT)).isEqualTo(IptablesVariant.NFT);
    }

    @Test
    void sysctlsFollowTheLayout() {
        assertThat(Sysctl.required(state(true, 2, 0))).extracting(Sysctl::key)
                .containsExactly("net.ipv4.ip_forward", "net.bridge.bridge-nf-call-iptables");
        assertThat(Sysctl.required(new FirewallState("NSNET", false, List.of(Network.bridge("br.0", "10.0.0.0/24")), List.of())))
                .extracting(Sysctl::key)
                .containsExactly("net.ipv4.ip_forward", "net.bridge.bridge-nf-call-iptables", "net.ipv4.conf.br/0.route_localnet");
    }

    /** {@code networks} Docker-default networks, the first {@code withPorts} with a published port each. */
    static FirewallState state(boolean proxy, int networks, int withPorts) {
        List<Network> nets = new ArrayList<>();
        List<Endpoint> eps = new ArrayList<>();
        for (int i = 0; i < networks; i++) {
            nets.add(Network.bridge("nsn-" + i, "10.1." + i + ".0/24"));
            if (i < withPorts) {
                eps.add(new Endpoint("10.1." + i + ".2", "nsn-" + i, List.of(PublishedPort.tcp(8000 + i, 80))));
            }
        }
        return new FirewallState("NSNET", proxy, nets, eps);
    }

    /** Every rule nsnet does not own, with its chain, in order (nsnet's chains other than P-USER skipped). */
    static String foreignOnly(Ruleset rs, FirewallApplier applier) {
        ChainNames names = applier.chainNames();
        Ownership own = new Ownership(names, List.of());
        StringBuilder b = new StringBuilder();
        for (TableName t : TableName.values()) {
            for (var c : rs.table(t).orderedChains()) {
                if (names.all().contains(c.name()) && !c.name().equals(names.user())) {
                    continue;
                }
                for (Rule r : c.rules()) {
                    if (c.isUserDefined() || !own.isNsnet(r) && !isNsnetShape(r)) {
                        b.append(t).append(' ').append(c.name()).append(' ').append(r.spec()).append('\n');
                    }
                }
            }
        }
        return b.toString();
    }

    private static boolean isNsnetShape(Rule r) {
        return r.spec().contains("nsn-") || r.spec().matches("-s 10\\.\\S+/32 -d 10\\.\\S+.*MASQUERADE");
    }

}
