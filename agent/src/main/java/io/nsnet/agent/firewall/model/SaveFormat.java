package io.nsnet.agent.firewall.model;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads iptables-save output and writes the same syntax (which is also iptables-restore input). Both the nft
 * and the legacy variant print this format. Tables other than filter and nat are skipped: nsnet never touches
 * them. Counters and comment lines are dropped.
 */
public final class SaveFormat {

    private SaveFormat() {
    }

    public static Ruleset parse(String saveOutput) {
        Map<TableName, Table> tables = new EnumMap<>(TableName.class);
        TableName current = null;
        boolean skipping = false;
        Map<String, String> policies = new LinkedHashMap<>();
        Map<String, List<Rule>> rules = new LinkedHashMap<>();
        int lineNo = 0;
        for (String raw : saveOutput.split("\n", -1)) {
            lineNo++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("*")) {
                String id = line.substring(1);
                skipping = !id.equals("filter") && !id.equals("nat");
                current = skipping ? null : TableName.fromId(id);
                policies = new LinkedHashMap<>();
                rules = new LinkedHashMap<>();
                continue;
            }
            if (line.equals("COMMIT")) {
                if (current != null) {
                    tables.put(current, build(current, policies, rules));
                }
                current = null;
                skipping = false;
                continue;
            }
            if (skipping) {
                continue;
            }
            if (current == null) {
                throw new IllegalArgumentException("line " + lineNo + ": outside of a table: " + line);
            }
            if (line.startsWith(":")) {
                String[] parts = line.substring(1).split("\\s+");
                if (parts.length < 2) {
                    throw new IllegalArgumentException("line " + lineNo + ": bad chain line: " + line);
                }
                policies.put(parts[0], parts[1]);
                rules.computeIfAbsent(parts[0], k -> new ArrayList<>());
            } else if (line.startsWith("[")) {
                // "[pkts:bytes] -A CHAIN …" as printed with -c.
                int end = line.indexOf(']');
                addRule(line.substring(end + 1).strip(), rules, lineNo);
            } else {
                addRule(line, rules, lineNo);
            }
        }
        if (current != null) {
            throw new IllegalArgumentException("table " + current.id() + " has no COMMIT");
        }
        return new Ruleset(tables);
    }

    private static void addRule(String line, Map<String, List<Rule>> rules, int lineNo) {
        if (!line.startsWith("-A ")) {
            throw new IllegalArgumentException("line " + lineNo + ": expected -A: " + line);
        }
        String rest = line.substring(3);
        int sp = rest.indexOf(' ');
        String chain = sp < 0 ? rest : rest.substring(0, sp);
        String spec = sp < 0 ? "" : rest.substring(sp + 1);
        rules.computeIfAbsent(chain, k -> new ArrayList<>()).add(RuleParser.parse(spec));
    }

    private static Table build(TableName name, Map<String, String> policies, Map<String, List<Rule>> rules) {
        Map<String, Chain> chains = new LinkedHashMap<>();
        for (Map.Entry<String, List<Rule>> e : rules.entrySet()) {
            String policy = policies.get(e.getKey());
            chains.put(e.getKey(), new Chain(e.getKey(), policy == null || policy.equals("-") ? null : policy, e.getValue()));
        }
        return new Table(name, chains);
    }

    /** Renders as iptables-save would (without counters and comments): full-table restore input. */
    public static String render(Ruleset ruleset) {
        StringBuilder b = new StringBuilder();
        for (Table t : ruleset.tables().values()) {
            b.append('*').append(t.name().id()).append('\n');
            List<Chain> chains = t.orderedChains();
            for (Chain c : chains) {
                b.append(':').append(c.name()).append(' ').append(c.policy() == null ? "-" : c.policy()).append(" [0:0]\n");
            }
            for (Chain c : chains) {
                for (Rule r : c.rules()) {
                    b.append("-A ").append(c.name()).append(' ').append(r.spec()).append('\n');
                }
            }
            b.append("COMMIT\n");
        }
        return b.toString();
    }
}
