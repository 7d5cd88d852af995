package io.nsnet.agent.firewall.model;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/** Tables by name. A table that is absent is treated as empty. */
public record Ruleset(Map<TableName, Table> tables) {
    public Ruleset {
        EnumMap<TableName, Table> copy = new EnumMap<>(TableName.class);
        copy.putAll(tables);
        tables = Collections.unmodifiableMap(copy);
    }

    public Table table(TableName name) {
        Table t = tables.get(name);
        return t == null ? Table.empty(name) : t;
    }
}
