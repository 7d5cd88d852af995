package io.nsnet.agent.firewall;

import static org.assertj.core.api.Assertions.assertThat;

import io.nsnet.agent.firewall.model.ForeignRule;
import io.nsnet.agent.firewall.model.Negatable;
import io.nsnet.agent.firewall.model.Rule;
import io.nsnet.agent.firewall.model.RuleSpec;
import io.nsnet.agent.firewall.model.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Property test of the chain differ: random live chains (desired rules shuffled, duplicated, dropped, stale
 * nsnet rules, foreign rules anywhere) against random desired head/tail lists, in both modes. The commands,
 * executed with iptables' semantics, must yield exactly the predicted chain, with nsnet's rules in desired order
 * and the foreign rules untouched in their relative order.
 */
class ChainEditorTest {

    private static final Predicate<Rule> NSNET = r -> r instanceof RuleSpec;

    @Test
    void randomChainsConvergeExactly() {
        for (int seed = 0; seed < 3000; seed++) {
            Random rnd = new Random(seed);
            List<RuleSpec> pool = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                pool.add(RuleSpec.of(Target.ACCEPT).withIn(Negatable.is("b" + i)));
            }
            List<RuleSpec> head = new ArrayList<>();
            List<RuleSpec> tail = new ArrayList<>();
            int n = rnd.nextInt(8);
            for (int i = 0; i < n; i++) {
                // Mostly distinct rules, sometimes duplicates (two identical port rules are legal).
                RuleSpec r = rnd.nextInt(6) == 0 && i > 0 ? pool.get(rnd.nextInt(i)) : pool.get(i);
                (rnd.nextBoolean() ? head : tail).add(r);
            }
            List<RuleSpec> desired = new ArrayList<>(head);
            desired.addAll(tail);
            List<Rule> live = new ArrayList<>();
            for (RuleSpec r : desired) {
                if (rnd.nextInt(4) != 0) {
                    live.add(r);
                }
                if (rnd.nextInt(8) == 0) {
                    live.add(r);
                }
            }
            if (rnd.nextInt(3) == 0) {
                java.util.Collections.shuffle(live, rnd);
            }
            for (int i = 0; i < rnd.nextInt(3); i++) {
                live.add(rnd.nextInt(live.size() + 1), pool.get(8 + rnd.nextInt(4))); // stale nsnet rules
            }
            for (int i = 0; i < rnd.nextInt(4); i++) {
                live.add(rnd.nextInt(live.size() + 1), new ForeignRule("-i f" + i + " -j LOG --log-prefix x"));
            }
            List<Rule> foreign = live.stream().filter(NSNET.negate()).toList();
            boolean positionFree = rnd.nextBoolean();
            ChainEditor.Result res = ChainEditor.edit("C", live, NSNET, head, tail, positionFree);
            List<Rule> after = execute(live, res.commands());
            String ctx = "seed " + seed + " live " + live + " head " + head + " tail " + tail + " cmds " + res.commands();
            assertThat(specs(after)).as(ctx).containsExactlyElementsOf(specs(res.after()));
            assertThat(specs(after.stream().filter(NSNET).toList())).as(ctx).containsExactlyElementsOf(specs(desired));
            assertThat(after.stream().filter(NSNET.negate()).toList()).as(ctx).containsExactlyElementsOf(foreign);
            boolean numbered = res.commands().stream().anyMatch(c -> c.matches("-I C \\d+ .*"));
            assertThat(numbered).as(ctx).isEqualTo(res.positional());
            assertThat(ChainEditor.edit("C", after, NSNET, head, tail, positionFree).commands()).as(ctx).isEmpty();
        }
    }

    /** iptables' semantics: -D by spec removes the first identical rule, -I n inserts before rule n. */
    private static List<Rule> execute(List<Rule> live, List<String> commands) {
        List<Rule> chain = new ArrayList<>(live);
        for (String c : commands) {
            String[] p = c.split(" ", 3);
            String rest = p[2];
            switch (p[0]) {
                case "-A" -> chain.add(io.nsnet.agent.firewall.model.RuleParser.parse(rest));
                case "-D" -> {
                    int i = 0;
                    while (!chain.get(i).spec().equals(rest)) {
                        i++;
                    }
                    chain.remove(i);
                }
                case "-I" -> {
                    String first = rest.split(" ", 2)[0];
                    if (first.matches("\\d+")) {
                        int pos = Integer.parseInt(first);
                        assertThat(pos).isBetween(1, chain.size());
                        chain.add(pos - 1, io.nsnet.agent.firewall.model.RuleParser.parse(rest.split(" ", 2)[1]));
                    } else {
                        chain.add(0, io.nsnet.agent.firewall.model.RuleParser.parse(rest));
                    }
                }
                default -> throw new IllegalArgumentException(c);
            }
        }
        return chain;
    }

    private static List<String> specs(List<? extends Rule> rules) {
        return rules.stream().map(Rule::spec).toList();
    }
}
