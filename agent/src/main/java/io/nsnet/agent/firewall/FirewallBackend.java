package io.nsnet.agent.firewall;

import io.nsnet.agent.firewall.model.Ruleset;

/**
 * How the applier reads and changes the kernel's tables, when it is not the iptables-restore processes built
 * into {@link FirewallApplier}. The planner is the same for every backend: it writes its change as
 * iptables-restore input ({@link RestorePlan#script()}), and a backend carries that script out with the same
 * meaning, one atomic commit per table, as {@code iptables-restore --noflush} would.
 */
public interface FirewallBackend {

    /** The live filter and nat tables; a table that does not exist yet is absent, as in iptables-save. */
    Ruleset readLive();

    /**
     * Carries out the plan's script, one commit per table section; a failure leaves that table unchanged.
     *
     * @throws FirewallException naming the command that failed
     */
    void commit(RestorePlan plan);

    /** The name used in logs and messages, e.g. "libiptc". */
    String name();
}
