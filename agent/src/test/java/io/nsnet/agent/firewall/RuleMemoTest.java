package io.nsnet.agent.firewall;

import static org.assertj.core.api.Assertions.assertThat;

import io.nsnet.agent.firewall.FirewallState.Network;
import io.nsnet.agent.firewall.model.RuleSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The memo only ever hands back an equal rule, reuses objects across plans, and forgets retired networks. */
class RuleMemoTest {

    @Test
    void generationWithTheMemoEqualsGenerationWithout() {
        RuleMemo memo = RuleMemo.create();
        for (int round = 0; round < 3; round++) {
            for (FirewallState s : IptcRuleCodecTest.layouts()) {
                memo.nextRound();
                assertThat(RulesetGenerator.generate(s, memo).toRuleset()).isEqualTo(RulesetGenerator.generate(s).toRuleset());
            }
        }
    }

    /**
     * The networks' and ports' lists are extended rather than rebuilt when networks or published endpoints are
     * only added (NetworkRuleLists, PortRuleLists); any sequence of changes, the same objects carried from state to
     * state as the daemon does, must give what a generation from scratch gives.
     */
    @Test
    void extendedListsEqualListsBuiltFromScratchOverRandomChanges() {
        java.util.Random rnd = new java.util.Random(7);
        RuleMemo memo = RuleMemo.create();
        List<Network> nets = new ArrayList<>();
        List<FirewallState.Endpoint> eps = new ArrayList<>();
        String prefix = "NSNET";
        boolean proxy = true;
        int made = 0;
        int hosts = 0;
        for (int step = 0; step < 600; step++) {
            int what = rnd.nextInt(14);
            if (what < 5 || nets.isEmpty()) {
                for (int k = 1 + rnd.nextInt(3); k > 0; k--, made++) {
                    nets.add(new Network("nsn-" + made, "10." + (made / 250) + "." + (made % 250) + ".0/24",
                            rnd.nextInt(5) == 0, rnd.nextInt(4) != 0, rnd.nextInt(4) != 0));
                }
            } else if (what == 5) {
                Network gone = nets.remove(rnd.nextInt(nets.size()));
                eps.removeIf(e -> e.bridge().equals(gone.bridge()));
            } else if (what == 6) {
                int i = rnd.nextInt(nets.size());
                Network n = nets.get(i);
                nets.set(i, new Network(n.bridge(), n.subnet(), rnd.nextBoolean() ? !n.internal() : n.internal(),
                        !n.icc(), n.masquerade()));
            } else if (what == 7) {
                proxy = !proxy;
            } else if (what == 8) {
                prefix = prefix.equals("NSNET") ? "DOCKER" : "NSNET";
            } else if (what < 12) {
                // A sandbox publishing one or two ports (the common case: appended).
                Network n = nets.get(rnd.nextInt(nets.size()));
                String ip = n.subnet().substring(0, n.subnet().lastIndexOf('.')) + "." + (2 + hosts++ % 250);
                List<FirewallState.PublishedPort> ports = new ArrayList<>();
                for (int k = 1 + rnd.nextInt(2); k > 0; k--) {
                    ports.add(new FirewallState.PublishedPort(rnd.nextInt(3) == 0 ? "127.0.0.1" : null,
                            20000 + rnd.nextInt(20000), 80 + k, rnd.nextBoolean() ? FirewallState.Protocol.TCP
                                    : FirewallState.Protocol.UDP));
                }
                eps.add(new FirewallState.Endpoint(ip, n.bridge(), ports));
            } else if (what == 12 && !eps.isEmpty()) {
                eps.remove(rnd.nextInt(eps.size()));
            } else if (!eps.isEmpty()) {
                int i = rnd.nextInt(eps.size());
                FirewallState.Endpoint e = eps.get(i);
                eps.set(i, new FirewallState.Endpoint(e.ip(), e.bridge(), e.ports().subList(0, 1)));
            }
            FirewallState s = new FirewallState(prefix, proxy, nets, eps);
            memo.nextRound();
            assertThat(RulesetGenerator.generate(s, memo).plans())
                    .as("step %d", step).isEqualTo(RulesetGenerator.generate(s).plans());
        }
    }

    @Test
    void aCreateRendersOnlyTheNewNetworkAndKeepsTheOthersRuleObjects() {
        RuleMemo memo = RuleMemo.create();
        List<Network> nets = bridges(50);
        memo.nextRound();
        DesiredRuleset before = RulesetGenerator.generate(new FirewallState("NSNET", true, nets, List.of()), memo);
        nets.add(Network.bridge("nsn-new", "10.9.0.0/24"));
        memo.nextRound();
        DesiredRuleset after = RulesetGenerator.generate(new FirewallState("NSNET", true, nets, List.of()), memo);
        List<RuleSpec> was = before.plan(io.nsnet.agent.firewall.model.TableName.FILTER, "FORWARD").head();
        List<RuleSpec> now = after.plan(io.nsnet.agent.firewall.model.TableName.FILTER, "FORWARD").head();
        // Two jumps, then the new network's four rules, then the old networks' very objects.
        assertThat(now).hasSize(was.size() + 4);
        assertThat(now.get(2).spec()).contains("nsn-new");
        for (int i = 2; i < was.size(); i++) {
            assertThat(now.get(i + 4)).isSameAs(was.get(i));
        }
    }

    /** Docker-default networks nsn-0… on 10.1.i.0/24, in a list the caller may add to. */
    private static List<Network> bridges(int count) {
        List<Network> nets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            nets.add(Network.bridge("nsn-" + i, "10.1." + i + ".0/24"));
        }
        return nets;
    }

    @Test
    void reusesRuleObjectsAndForgetsWhatIsGone() {
        RuleMemo memo = RuleMemo.create();
        List<Network> nets = bridges(100);
        FirewallState s = new FirewallState("NSNET", true, nets, List.of());
        memo.nextRound();
        DesiredRuleset first = RulesetGenerator.generate(s, memo);
        memo.nextRound();
        DesiredRuleset second = RulesetGenerator.generate(s, memo);
        assertThat(second.plan(io.nsnet.agent.firewall.model.TableName.FILTER, "FORWARD").head().get(5))
                .isSameAs(first.plan(io.nsnet.agent.firewall.model.TableName.FILTER, "FORWARD").head().get(5));
        int full = memo.size();
        // Each round a different set of 100 networks: the memo stays within a small multiple of one state.
        for (int round = 0; round < 20; round++) {
            List<Network> other = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                other.add(Network.bridge("nsn-r" + round + "-" + i, "10.2." + i + ".0/24"));
            }
            memo.nextRound();
            RulesetGenerator.generate(new FirewallState("NSNET", true, other, List.of()), memo);
        }
        assertThat(memo.size()).isLessThanOrEqualTo(3 * full + 256);
    }

    @Test
    void anEqualDefinitionInANewObjectKeepsTheRulesAndIsFoundByIdentityAfter() {
        RuleMemo memo = RuleMemo.create();
        ChainNames names = new ChainNames("NSNET");
        Network creating = Network.bridge("nsn-a", "10.3.0.0/24");
        Network ready = Network.bridge("nsn-a", "10.3.0.0/24"); // the same network after its state changed
        memo.nextRound();
        RuleMemo.NetworkRules first = memo.network(creating, names);
        RuleSpec conntrack = first.conntrack();
        memo.nextRound();
        RuleMemo.NetworkRules again = memo.network(ready, names);
        assertThat(again).isSameAs(first);
        assertThat(again.conntrack()).isSameAs(conntrack);
        assertThat(again.network).isSameAs(ready);
        // A changed definition gets fresh rules.
        memo.nextRound();
        assertThat(memo.network(Network.bridge("nsn-a", "10.4.0.0/24"), names)).isNotSameAs(first);
    }
}
