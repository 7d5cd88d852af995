package io.nsnet.agent.firewall;

/**
 * What an apply or teardown did.
 *
 * @param commands  rule and chain commands sent in the single restore transaction (0: nothing was run)
 * @param script    the restore input that ran (empty when nothing changed)
 * @param readLive  whether the live ruleset was read (one iptables-save process) before planning
 */
public record ApplyResult(int commands, String script, boolean readLive) {
    public boolean changed() {
        return commands > 0;
    }
}
