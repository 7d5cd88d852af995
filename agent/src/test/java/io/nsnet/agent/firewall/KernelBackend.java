package io.nsnet.agent.firewall;

import io.nsnet.netns.NetNs;

/**
 * The three ways the kernel tests drive a namespace's firewall: iptables-restore processes of either variant,
 * or libiptc in-process on the legacy tables. Observation is always through the variant's iptables-save.
 */
enum KernelBackend {
    NFT(IptablesVariant.NFT, false),
    LEGACY(IptablesVariant.LEGACY, false),
    LIBIPTC(IptablesVariant.LEGACY, true);

    private final IptablesVariant variant;
    private final boolean libiptc;

    KernelBackend(IptablesVariant variant, boolean libiptc) {
        this.variant = variant;
        this.libiptc = libiptc;
    }

    IptablesVariant variant() {
        return variant;
    }

    boolean libiptc() {
        return libiptc;
    }

    /** The applier; {@code exec} runs the iptables processes (libiptc runs none), {@code ns} hosts libiptc's worker. */
    FirewallApplier applier(IptablesExec exec, NetNs ns, String prefix) {
        return libiptc ? new FirewallApplier(new LibiptcBackend(ns), variant, prefix) : new FirewallApplier(exec, variant, prefix);
    }
}
