package io.nsnet.agent.firewall;

import io.nsnet.agent.firewall.model.Chain;
import io.nsnet.agent.firewall.model.Rule;
import io.nsnet.agent.firewall.model.RuleSpec;
import io.nsnet.agent.firewall.model.Ruleset;
import io.nsnet.agent.firewall.model.Table;
import io.nsnet.agent.firewall.model.TableName;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Diffs a live ruleset against the desired one and writes a single {@code iptables-restore --noflush} script.
 *
 * <ul>
 *   <li>Owned chains ({@code P} in filter and nat, {@code P-ISOLATION-STAGE-1/2}) hold only nsnet's rules, so
 *       any difference is nsnet's to fix. They are left alone when equal; a small difference is patched with
 *       {@code -I}/{@code -D} (at 1000 networks, rewriting a 1000-rule isolation chain to add one line costs
 *       more than the rest of the change); otherwise the chain is rewritten whole: {@code :CHAIN - [0:0]}
 *       (which creates it, or flushes it under {@code --noflush}) followed by all its {@code -A} lines.</li>
 *   <li>{@code P-USER} is the administrator's: created once with {@code -j RETURN}, never rewritten.</li>
 *   <li>Built-in chains are edited rule by rule through {@link ChainEditor}, touching only what
 *       {@link Ownership} recognises as nsnet's.</li>
 * </ul>
 */
public final class RestorePlanner {

    private RestorePlanner() {
    }

    public static RestorePlan plan(Ruleset live, DesiredRuleset desired, Ownership ownership) {
        return plan(live, desired, ownership, false);
    }

    /**
     * @param positionFree edit built-in chains without numbered inserts in their head part (see
     *                     {@link ChainEditor#edit(String, List, java.util.function.Predicate, List, List, boolean)}),
     *                     for plans made against a cached rather than a freshly read ruleset
     */
    public static RestorePlan plan(Ruleset live, DesiredRuleset desired, Ownership ownership, boolean positionFree) {
        StringBuilder script = new StringBuilder();
        int commands = 0;
        boolean positional = false;
        Map<TableName, Table> after = new EnumMap<>(TableName.class);
        for (TableName t : TableName.values()) {
            Table liveTable = live.table(t);
            Map<String, Chain> chains = new LinkedHashMap<>(liveTable.chains());
            List<String> decls = new ArrayList<>();
            List<String> owned = new ArrayList<>();
            List<String> builtin = new ArrayList<>();
            for (ChainPlan p : desired.plans()) {
                if (p.table() != t) {
                    continue;
                }
                Chain current = liveTable.chain(p.chain());
                switch (p.kind()) {
                    case ADMIN -> {
                        if (current == null) {
                            create(p, decls, owned, chains);
                        }
                    }
                    case OWNED -> {
                        if (current == null) {
                            create(p, decls, owned, chains);
                        } else if (!sameSpecs(current.rules(), p.head())) {
                            ChainEditor.Result edit = ChainEditor.edit(p.chain(), current.rules(), r -> true, p.head(), List.of());
                            if (edit.commands().size() <= p.head().size() / 2 + 8) {
                                owned.addAll(edit.commands());
                                positional |= edit.positional();
                                chains.put(p.chain(), new Chain(p.chain(), null, edit.after()));
                            } else {
                                create(p, decls, owned, chains);
                            }
                        }
                    }
                    case BUILTIN -> {
                        List<Rule> rules = current == null ? List.of() : current.rules();
                        ChainEditor.Result edit = ChainEditor.edit(p.chain(), rules, ownership::isNsnet, p.head(), p.tail(), positionFree);
                        if (!edit.isEmpty()) {
                            builtin.addAll(edit.commands());
                            positional |= edit.positional();
                            String policy = current == null ? "ACCEPT" : current.policy();
                            chains.put(p.chain(), new Chain(p.chain(), policy, edit.after()));
                        }
                    }
                }
            }
            commands += appendTable(script, t, decls, owned, builtin, List.of());
            after.put(t, new Table(t, chains));
        }
        return new RestorePlan(script.toString(), commands, new Ruleset(after), positional);
    }

    /**
     * Removes every nsnet rule from the built-in chains and deletes all of nsnet's chains, {@code P-USER}
     * included (whatever the administrator put there), so the ruleset returns to what it was before nsnet.
     */
    public static RestorePlan planTeardown(Ruleset live, ChainNames names, Ownership ownership) {
        StringBuilder script = new StringBuilder();
        int commands = 0;
        Map<TableName, Table> after = new EnumMap<>(TableName.class);
        for (TableName t : TableName.values()) {
            Table liveTable = live.table(t);
            Map<String, Chain> chains = new LinkedHashMap<>(liveTable.chains());
            List<String> builtin = new ArrayList<>();
            for (String b : t.builtinChains()) {
                Chain c = liveTable.chain(b);
                if (c == null) {
                    continue;
                }
                ChainEditor.Result edit = ChainEditor.edit(b, c.rules(), ownership::isNsnet, List.of(), List.of());
                builtin.addAll(edit.commands());
                chains.put(b, new Chain(b, c.policy(), edit.after()));
            }
            List<String> removal = new ArrayList<>();
            List<String> ours = t == TableName.FILTER
                    ? List.of(names.main(), names.isolation1(), names.isolation2(), names.user())
                    : List.of(names.main());
            // Flush all first: the isolation chains reference each other, and -X needs a chain nobody jumps to.
            for (String c : ours) {
                if (chains.containsKey(c)) {
                    removal.add("-F " + c);
                }
            }
            for (String c : ours) {
                if (chains.remove(c) != null) {
                    removal.add("-X " + c);
                }
            }
            commands += appendTable(script, t, List.of(), List.of(), builtin, removal);
            after.put(t, new Table(t, chains));
        }
        return new RestorePlan(script.toString(), commands, new Ruleset(after), false);
    }

    private static void create(ChainPlan p, List<String> decls, List<String> body, Map<String, Chain> chains) {
        decls.add(":" + p.chain() + " - [0:0]");
        for (RuleSpec r : p.head()) {
            body.add("-A " + p.chain() + " " + r.spec());
        }
        chains.put(p.chain(), Chain.of(p.chain(), null, p.head()));
    }

    private static boolean sameSpecs(List<Rule> live, List<RuleSpec> desired) {
        if (live.size() != desired.size()) {
            return false;
        }
        for (int i = 0; i < live.size(); i++) {
            if (!live.get(i).spec().equals(desired.get(i).spec())) {
                return false;
            }
        }
        return true;
    }

    private static int appendTable(StringBuilder script, TableName t, List<String> decls, List<String> owned,
            List<String> builtin, List<String> removal) {
        int n = decls.size() + owned.size() + builtin.size() + removal.size();
        if (n == 0) {
            return 0;
        }
        script.append('*').append(t.id()).append('\n');
        for (List<String> part : List.of(decls, owned, builtin, removal)) {
            for (String line : part) {
                script.append(line).append('\n');
            }
        }
        script.append("COMMIT\n");
        return n;
    }
}
