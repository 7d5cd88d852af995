package io.nsnet.agent.firewall.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** One table's chains, keyed by name. */
public record Table(TableName name, Map<String, Chain> chains) {
    public Table {
        Objects.requireNonNull(name, "name");
        chains = Collections.unmodifiableMap(new LinkedHashMap<>(chains));
    }

    public static Table empty(TableName name) {
        return new Table(name, Map.of());
    }

    public Chain chain(String chain) {
        return chains.get(chain);
    }

    /** The rules of a chain, empty when the chain does not exist. */
    public List<Rule> rules(String chain) {
        Chain c = chains.get(chain);
        return c == null ? List.of() : c.rules();
    }

    /**
     * Chains in the order iptables-save prints them: built-in chains in kernel order, then user-defined chains
     * sorted by name (both backends sort them so).
     */
    public List<Chain> orderedChains() {
        List<Chain> out = new ArrayList<>();
        for (String b : name.builtinChains()) {
            if (chains.containsKey(b)) {
                out.add(chains.get(b));
            }
        }
        List<Chain> user = new ArrayList<>();
        for (Chain c : chains.values()) {
            if (!name.isBuiltin(c.name())) {
                user.add(c);
            }
        }
        user.sort(Comparator.comparing(Chain::name));
        out.addAll(user);
        return out;
    }
}
