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

    /** A chain from a list of any rule type (e.g. the generator's {@code List<RuleSpec>}). */
    public static Chain of(String name, String policy, List<? extends Rule> rules) {
        return new Chain(name, policy, List.<Rule>copyOf(rules));
    }

    public static Chain user(String name, List<? extends Rule> rules) {
        return of(name, null, rules);
    }

    public boolean isUserDefined() {
        return policy == null;
    }
}
