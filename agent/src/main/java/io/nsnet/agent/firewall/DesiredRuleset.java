package io.nsnet.agent.firewall;

import io.nsnet.agent.firewall.model.Chain;
import io.nsnet.agent.firewall.model.Ruleset;
import io.nsnet.agent.firewall.model.Table;
import io.nsnet.agent.firewall.model.TableName;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The generator's output: one plan per chain nsnet writes to, in the two tables. */
public record DesiredRuleset(ChainNames names, List<ChainPlan> plans) {

    public DesiredRuleset {
        plans = List.copyOf(plans);
    }

    public ChainPlan plan(TableName table, String chain) {
        for (ChainPlan p : plans) {
            if (p.table() == table && p.chain().equals(chain)) {
                return p;
            }
        }
        return null;
    }

    /**
     * As a plain ruleset with only nsnet's rules, e.g. for rendering or comparing with a capture. Built-in
     * chains get policy ACCEPT here: nsnet does not manage policies.
     */
    public Ruleset toRuleset() {
        Map<TableName, Map<String, Chain>> chains = new EnumMap<>(TableName.class);
        for (ChainPlan p : plans) {
            chains.computeIfAbsent(p.table(), t -> new LinkedHashMap<>())
                    .put(p.chain(), Chain.of(p.chain(), p.kind() == ChainPlan.Kind.BUILTIN ? "ACCEPT" : null, p.rules()));
        }
        Map<TableName, Table> tables = new EnumMap<>(TableName.class);
        chains.forEach((t, c) -> tables.put(t, new Table(t, c)));
        return new Ruleset(tables);
    }
}
