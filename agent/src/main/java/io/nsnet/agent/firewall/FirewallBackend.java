package io.nsnet.agent.firewall;

import io.nsnet.agent.firewall.model.Ruleset;

/**
 * How the applier reads and changes the kernel's tables: the iptables programs ({@link RestoreProcessBackend}),
 * libiptc in-process ({@link LibiptcBackend}) or nf_tables netlink ({@link NftBackend}). The planner is the same
 * for every backend: it writes its change as
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

    /**
     * Whether {@link #readLive()} is about as cheap as a cache lookup while nothing changed (the nftables
     * backend checks a generation id), so that the applier reads before every change instead of trusting its
     * own cache and planning around positions it cannot be sure of.
     */
    default boolean cheapReads() {
        return false;
    }

    /**
     * Sets a built-in filter chain's policy, by default as the one-line restore input
     * {@code :CHAIN POLICY [0:0]}.
     */
    default void setFilterPolicy(String chain, String policy) {
        commit(new RestorePlan("*filter\n:" + chain + " " + policy + " [0:0]\nCOMMIT\n", 1,
                new io.nsnet.agent.firewall.model.Ruleset(java.util.Map.of()), false));
    }

    /** Deletes a whole (empty) table; only backends whose tables can be deleted (nf_tables) implement it. */
    default void dropTable(io.nsnet.agent.firewall.model.TableName table) {
        throw new UnsupportedOperationException(name() + " cannot delete tables");
    }
}
