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

    @Test
    void reusesRuleObjectsAndForgetsWhatIsGone() {
        RuleMemo memo = RuleMemo.create();
        List<Network> nets = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            nets.add(Network.bridge("nsn-" + i, "10.1." + i + ".0/24"));
        }
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
