package io.nsnet.agent.firewall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nsnet.agent.firewall.model.Ruleset;
import io.nsnet.agent.firewall.model.TableName;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RestoreScriptTest {

    @Test
    void readsWhatThePlannerWrites() {
        FirewallState s = IptcRuleCodecTest.layouts().get(0);
        RestorePlan plan = RestorePlanner.plan(new Ruleset(Map.of()), RulesetGenerator.generate(s),
                new Ownership(new ChainNames("DOCKER"), s.networks()));
        RestoreScript script = RestoreScript.parse(plan.script());
        assertThat(script.sections()).extracting(RestoreScript.Section::table).containsExactly(TableName.FILTER, TableName.NAT);
        assertThat(script.sections().stream().mapToInt(x -> x.commands().size()).sum()).isEqualTo(plan.commands());
        assertThat(script.sections().get(0).commands().get(0)).isInstanceOf(RestoreScript.DeclareChain.class);
    }

    @Test
    void eachCommandKind() {
        RestoreScript s = RestoreScript.parse("""
                *filter
                :X - [0:0]
                :FORWARD DROP [0:0]
                -A X -j RETURN
                -I FORWARD -j X
                -I FORWARD 3 -i b -j ACCEPT
                -D FORWARD -o b -j DROP
                -F X
                -X X
                -N Y
                -P FORWARD ACCEPT
                COMMIT
                """);
        List<RestoreScript.Command> c = s.sections().get(0).commands();
        assertThat(c).containsExactly(
                new RestoreScript.DeclareChain("X", null, ":X - [0:0]"),
                new RestoreScript.DeclareChain("FORWARD", "DROP", ":FORWARD DROP [0:0]"),
                new RestoreScript.Append("X", "-j RETURN", "-A X -j RETURN"),
                new RestoreScript.Insert("FORWARD", 1, "-j X", "-I FORWARD -j X"),
                new RestoreScript.Insert("FORWARD", 3, "-i b -j ACCEPT", "-I FORWARD 3 -i b -j ACCEPT"),
                new RestoreScript.Delete("FORWARD", "-o b -j DROP", "-D FORWARD -o b -j DROP"),
                new RestoreScript.Flush("X", "-F X"),
                new RestoreScript.DeleteChain("X", "-X X"),
                new RestoreScript.NewChain("Y", "-N Y"),
                new RestoreScript.Policy("FORWARD", "ACCEPT", "-P FORWARD ACCEPT"));
        assertThat(RestoreScript.parse("").isEmpty()).isTrue();
    }

    @Test
    void refusesWhatItDoesNotKnow() {
        assertThatThrownBy(() -> RestoreScript.parse("*filter\n-Z FORWARD\nCOMMIT\n")).hasMessageContaining("-Z");
        assertThatThrownBy(() -> RestoreScript.parse("*filter\n-A FORWARD -j X\n")).hasMessageContaining("COMMIT");
        assertThatThrownBy(() -> RestoreScript.parse("-A FORWARD -j X\n")).hasMessageContaining("outside a table");
        assertThatThrownBy(() -> RestoreScript.parse("*mangle\nCOMMIT\n")).hasMessageContaining("mangle");
    }

    @Test
    void aBackendThatCannotReadAPlanSaysWhichBackendItIs() {
        RestorePlan plan = new RestorePlan("*filter\n-Z FORWARD\nCOMMIT\n", 1, new Ruleset(Map.of()), false);
        assertThatThrownBy(() -> RestoreScript.of(plan, "nftables")).isInstanceOf(FirewallException.class)
                .hasMessageStartingWith("nftables backend cannot carry out the plan").hasMessageContaining("-Z");
        assertThat(RestoreScript.of(new RestorePlan("", 0, new Ruleset(Map.of()), false), "libiptc").isEmpty()).isTrue();
    }
}
