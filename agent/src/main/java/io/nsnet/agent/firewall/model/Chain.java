package io.nsnet.agent.firewall.model;

import java.util.List;
import java.util.Objects;

/**
 * A chain and its ordered rules. {@code policy} is the built-in chain's policy (ACCEPT/DROP) or {@code null}
 * for a user-defined chain, which iptables-save declares with {@code -}.
 */
public record Chain(String name, String policy, List<Rule> rules) {
    public Chain {
        Objects.requireNonNull(name, "name");
        rules = List.copyOf(rules);
    }

    public Chain(String name, String policy, Iterable<? extends Rule> rules, boolean copy) {
        this(name, policy, copyOf(rules));
    }

    private static List<Rule> copyOf(Iterable<? extends Rule> rules) {
        java.util.ArrayList<Rule> out = new java.util.ArrayList<>();
        rules.forEach(out::add);
        return out;
    }

    public static Chain user(String name, List<? extends Rule> rules) {
        return new Chain(name, null, rules, true);
    }

    public boolean isUserDefined() {
        return policy == null;
    }
}
