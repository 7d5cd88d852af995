package io.nsnet.agent.firewall;

import io.nsnet.agent.firewall.model.Ruleset;

/**
 * One {@code iptables-restore --noflush} input and the ruleset expected once it has run.
 *
 * @param script        restore input; empty when live already equals desired (then nothing is run at all)
 * @param commands      number of rule/chain commands in the script
 * @param expectedAfter the filter and nat tables as they will read back after the script
 * @param positional    whether the script inserts at numbered positions ({@code -I CHAIN n}), which is right
 *                      only if the live ruleset is exactly the one planned against; {@code -A}, {@code -I}
 *                      at the top, {@code -D} by spec and whole-chain rewrites are right (or fail) regardless
 */
public record RestorePlan(String script, int commands, Ruleset expectedAfter, boolean positional) {
    public boolean isEmpty() {
        return commands == 0;
    }
}
