package io.nsnet.agent.firewall.model;

/**
 * One rule of a chain. Either a {@link RuleSpec} that nsnet understands field by field, or a
 * {@link ForeignRule} kept as opaque text so that rules written by others survive a parse/render cycle
 * unchanged.
 */
public sealed interface Rule permits RuleSpec, ForeignRule {

    /**
     * The rule's specification exactly as iptables-save prints it after {@code -A CHAIN }. Two rules are the
     * same rule for iptables (e.g. for {@code -D CHAIN spec}) when their specs are equal, so this string is the
     * rule's identity in every diff.
     */
    String spec();
}
