package io.nsnet.agent.firewall;

import io.nsnet.netns.NetNs;

/**
 * The four ways the kernel tests drive a namespace's firewall: iptables-restore processes of either variant,
 * libiptc in-process on the legacy tables, or nf_tables netlink in-process on iptables-nft's tables.
 * Observation is always through the variant's iptables-save.
 */
enum KernelBackend {
    NFT(IptablesVariant.NFT, BackendDetector.Access.PROCESS),
    LEGACY(IptablesVariant.LEGACY, BackendDetector.Access.PROCESS),
    LIBIPTC(IptablesVariant.LEGACY, BackendDetector.Access.LIBIPTC),
    NFTABLES(IptablesVariant.NFT, BackendDetector.Access.NFTABLES);

    private final IptablesVariant variant;
    private final BackendDetector.Access access;

    KernelBackend(IptablesVariant variant, BackendDetector.Access access) {
        this.variant = variant;
        this.access = access;
    }

    IptablesVariant variant() {
        return variant;
    }

    boolean libiptc() {
        return access == BackendDetector.Access.LIBIPTC;
    }

    /** Whether the backend runs no iptables process at all. */
    boolean inProcess() {
        return access != BackendDetector.Access.PROCESS;
    }

    /** The applier; {@code exec} runs the iptables processes (in-process backends run none), {@code ns} hosts theirs. */
    FirewallApplier applier(IptablesExec exec, NetNs ns, String prefix) {
        return switch (access) {
            case LIBIPTC -> new FirewallApplier(new LibiptcBackend(ns), variant, prefix);
            case NFTABLES -> new FirewallApplier(new NftBackend(ns), variant, prefix);
            case PROCESS -> new FirewallApplier(exec, variant, prefix);
        };
    }
}
