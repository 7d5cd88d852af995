package io.nsnet.agent.firewall.model;

import java.util.List;

/** The iptables tables nsnet manages, with their built-in chains in the order iptables-save prints them. */
public enum TableName {
    FILTER("filter", List.of("INPUT", "FORWARD", "OUTPUT")),
    NAT("nat", List.of("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"));

    private final String id;
    private final List<String> builtinChains;

    TableName(String id, List<String> builtinChains) {
        this.id = id;
        this.builtinChains = builtinChains;
    }

    /** The name used after {@code *} in iptables-save output and with {@code -t}. */
    public String id() {
        return id;
    }

    public List<String> builtinChains() {
        return builtinChains;
    }

    public boolean isBuiltin(String chain) {
        return builtinChains.contains(chain);
    }

    public static TableName fromId(String id) {
        for (TableName t : values()) {
            if (t.id.equals(id)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unsupported iptables table '" + id + "'");
    }
}
