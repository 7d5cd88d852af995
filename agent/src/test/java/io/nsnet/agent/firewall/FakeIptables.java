package io.nsnet.agent.firewall;

import io.nsnet.agent.firewall.model.Chain;
import io.nsnet.agent.firewall.model.Rule;
import io.nsnet.agent.firewall.model.RuleParser;
import io.nsnet.agent.firewall.model.RuleSpec;
import io.nsnet.agent.firewall.model.Ruleset;
import io.nsnet.agent.firewall.model.SaveFormat;
import io.nsnet.agent.firewall.model.Table;
import io.nsnet.agent.firewall.model.TableName;
import io.nsnet.agent.firewall.model.Target;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An in-memory iptables for unit tests: answers {@code *-save} with its tables and interprets
 * {@code *-restore --noflush} input with iptables' semantics (atomic; {@code -D} by spec deletes the first
 * identical rule; {@code -I n} beyond the end fails; {@code :CHAIN} flushes an existing user chain; a jump to a
 * missing chain fails; {@code -X} of a referenced or non-empty chain fails). Records every call.
 */
final class FakeIptables implements IptablesExec {

    private static final Set<String> TARGETS = Set.of("ACCEPT", "DROP", "RETURN", "MASQUERADE", "DNAT", "LOG", "REJECT", "SNAT");

    final List<List<String>> calls = new ArrayList<>();
    private Map<TableName, Map<String, Chain>> tables = empty();

    static Map<TableName, Map<String, Chain>> empty() {
        Map<TableName, Map<String, Chain>> t = new EnumMap<>(TableName.class);
        for (TableName n : TableName.values()) {
            t.put(n, new LinkedHashMap<>());
        }
        return t;
    }

    int restores() {
        return (int) calls.stream().filter(c -> c.get(0).endsWith("-restore")).count();
    }

    Ruleset ruleset() {
        Map<TableName, Table> out = new EnumMap<>(TableName.class);
        // As iptables-save prints every built-in chain of a table that exists (nft fakes the absent ones).
        tables.forEach((n, c) -> {
            if (!c.isEmpty()) {
                Map<String, Chain> all = new LinkedHashMap<>();
                for (String b : n.builtinChains()) {
                    all.put(b, new Chain(b, "ACCEPT", List.of()));
                }
                all.putAll(c);
                out.put(n, new Table(n, all));
            }
        });
        return new Ruleset(out);
    }

    String save() {
        return SaveFormat.render(ruleset());
    }

    /** Runs restore input directly (e.g. to plant foreign rules); throws on error. */
    void restore(String script) {
        String err = interpret(script);
        if (err != null) {
            throw new IllegalStateException(err);
        }
    }

    @Override
    public Result run(List<String> argv, String stdin) {
        calls.add(argv);
        String prog = argv.get(0);
        if (prog.endsWith("-save")) {
            return new Result(0, save(), "");
        }
        if (prog.endsWith("-restore")) {
            if (argv.contains("--version")) {
                return new Result(0, prog + " v1.8.9", "");
            }
            if (!argv.contains("--noflush")) {
                // Flush mode: every table named in the input is emptied first (nft deletes it).
                for (String line : stdin.split("\n")) {
                    if (line.startsWith("*")) {
                        tables.get(TableName.fromId(line.substring(1))).clear();
                    }
                }
            }
            String err = interpret(stdin);
            return err == null ? new Result(0, "", "") : new Result(1, "", err);
        }
        return new Result(0, "iptables v1.8.9 (nf_tables)", "");
    }

    private String interpret(String script) {
        Map<TableName, Map<String, Chain>> work = empty();
        tables.forEach((n, c) -> work.get(n).putAll(c));
        TableName t = null;
        int lineNo = 0;
        for (String line : script.split("\n")) {
            lineNo++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            try {
                if (line.startsWith("*")) {
                    t = TableName.fromId(line.substring(1));
                } else if (line.equals("COMMIT")) {
                    t = null;
                } else {
                    command(work.get(t), t, line);
                }
            } catch (RuntimeException e) {
                return "iptables-restore: line " + lineNo + " failed: " + e.getMessage();
            }
        }
        tables = work;
        return null;
    }

    private static void command(Map<String, Chain> chains, TableName t, String line) {
        if (line.startsWith(":")) {
            String[] p = line.substring(1).split(" ");
            Chain c = chains.get(p[0]);
            if (t.isBuiltin(p[0])) {
                chains.put(p[0], new Chain(p[0], p[1].equals("-") ? "ACCEPT" : p[1], c == null ? List.of() : c.rules()));
            } else {
                chains.put(p[0], new Chain(p[0], null, List.of()));
            }
            return;
        }
        String[] p = line.split(" ", 3);
        String op = p[0];
        String chain = p[1];
        String rest = p.length > 2 ? p[2] : "";
        Chain c = chains.get(chain);
        if (c == null && t.isBuiltin(chain)) {
            c = new Chain(chain, "ACCEPT", List.of());
        }
        if (c == null) {
            throw new IllegalArgumentException("chain " + chain + " does not exist");
        }
        List<Rule> rules = new ArrayList<>(c.rules());
        switch (op) {
            case "-A" -> rules.add(checked(chains, t, rest));
            case "-I" -> {
                int pos = 1;
                String spec = rest;
                String first = rest.split(" ", 2)[0];
                if (first.chars().allMatch(Character::isDigit)) {
                    pos = Integer.parseInt(first);
                    spec = rest.split(" ", 2)[1];
                }
                if (pos < 1 || pos > rules.size() + 1) {
                    throw new IllegalArgumentException("Index of insertion too big");
                }
                rules.add(pos - 1, checked(chains, t, spec));
            }
            case "-D" -> {
                Rule r = RuleParser.parse(rest);
                int i = indexOf(rules, r.spec());
                if (i < 0) {
                    throw new IllegalArgumentException("Bad rule (does a matching rule exist in that chain?)");
                }
                rules.remove(i);
            }
            case "-F" -> rules.clear();
            case "-X" -> {
                if (!rules.isEmpty()) {
                    throw new IllegalArgumentException("Directory not empty");
                }
                for (Chain other : chains.values()) {
                    for (Rule r : other.rules()) {
                        if (r instanceof RuleSpec s && s.target() instanceof Target.Jump j && j.chain().equals(chain)) {
                            throw new IllegalArgumentException("Too many links");
                        }
                    }
                }
                chains.remove(chain);
                return;
            }
            default -> throw new IllegalArgumentException("unknown command " + op);
        }
        chains.put(chain, new Chain(chain, c.policy(), rules));
    }

    private static Rule checked(Map<String, Chain> chains, TableName t, String spec) {
        Rule r = RuleParser.parse(spec);
        if (r instanceof RuleSpec s && s.target() instanceof Target.Jump j && !TARGETS.contains(j.chain())
                && (!chains.containsKey(j.chain()) || t.isBuiltin(j.chain()))) {
            throw new IllegalArgumentException("Couldn't load target `" + j.chain() + "'");
        }
        return r;
    }

    private static int indexOf(List<Rule> rules, String spec) {
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i).spec().equals(spec)) {
                return i;
            }
        }
        return -1;
    }
}
