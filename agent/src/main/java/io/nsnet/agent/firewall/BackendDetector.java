package io.nsnet.agent.firewall;

import java.io.IOException;
import java.util.List;

/**
 * Picks the iptables variant for a namespace: the one that already holds rules (so nsnet never adds a second
 * ruleset next to the host's firewall); if both or neither do, the variant the plain {@code iptables} binary
 * is (as {@code iptables -V} prints "(nf_tables)" or "(legacy)"). An explicit choice is only checked for
 * presence.
 */
public final class BackendDetector {

    static final String INSTALL_HINT = "iptables is not installed: install it (e.g. apt-get install iptables)";

    private BackendDetector() {
    }

    /** How the chosen tables are reached: iptables processes, libiptc, or nf_tables netlink. */
    public enum Access { PROCESS, LIBIPTC, NFTABLES }

    /** The tables to use and how to reach them. */
    public record Choice(IptablesVariant variant, Access access) {
        public boolean libiptc() {
            return access == Access.LIBIPTC;
        }
    }

    /**
     * {@link #detect} plus the in-process backends: an explicit {@code libiptc} needs only libip4tc and an
     * explicit {@code nftables} nothing (no iptables programs); {@code auto} uses nftables when the detected
     * variant is nft, and libiptc when it is legacy and libip4tc loads.
     */
    public static Choice choose(IptablesExec exec, BackendChoice choice, java.util.function.BooleanSupplier libiptcLoads) {
        if (choice == BackendChoice.LIBIPTC) {
            if (!libiptcLoads.getAsBoolean()) {
                throw new FirewallException("--firewall-backend libiptc: " + io.nsnet.iptc.Ip4tc.loadFailure());
            }
            return new Choice(IptablesVariant.LEGACY, Access.LIBIPTC);
        }
        if (choice == BackendChoice.NFTABLES) {
            return new Choice(IptablesVariant.NFT, Access.NFTABLES);
        }
        IptablesVariant v = detect(exec, choice);
        Access access = Access.PROCESS;
        if (choice == BackendChoice.AUTO) {
            if (v == IptablesVariant.NFT) {
                access = Access.NFTABLES;
            } else if (libiptcLoads.getAsBoolean()) {
                access = Access.LIBIPTC;
            }
        }
        return new Choice(v, access);
    }

    public static IptablesVariant detect(IptablesExec exec, BackendChoice choice) {
        switch (choice) {
            case LIBIPTC:
                return IptablesVariant.LEGACY; // libiptc is the legacy tables; it needs no iptables program
            case NFTABLES:
                return IptablesVariant.NFT; // iptables-nft's tables over netlink; no iptables program either
            case NFT:
                requireInstalled(exec, IptablesVariant.NFT);
                return IptablesVariant.NFT;
            case LEGACY:
                requireInstalled(exec, IptablesVariant.LEGACY);
                return IptablesVariant.LEGACY;
            default:
                break;
        }
        boolean nft = holdsRules(exec, IptablesVariant.NFT);
        boolean legacy = holdsRules(exec, IptablesVariant.LEGACY);
        if (nft != legacy) {
            return nft ? IptablesVariant.NFT : IptablesVariant.LEGACY;
        }
        return defaultVariant(exec);
    }

    /** Whether the variant's save shows any rule or user-defined chain; false if the variant is missing. */
    static boolean holdsRules(IptablesExec exec, IptablesVariant v) {
        IptablesExec.Result r;
        try {
            r = exec.run(v.saveArgv(), null);
        } catch (IOException e) {
            return false;
        }
        if (!r.ok()) {
            return false;
        }
        for (String line : r.stdout().split("\n")) {
            if (line.startsWith("-A ") || (line.startsWith(":") && line.contains(" - "))) {
                return true;
            }
        }
        return false;
    }

    static IptablesVariant defaultVariant(IptablesExec exec) {
        try {
            IptablesExec.Result r = exec.run(List.of("iptables", "-V"), null);
            String out = r.stdout() + r.stderr();
            if (out.contains("(legacy)")) {
                return IptablesVariant.LEGACY;
            }
            if (out.contains("(nf_tables)")) {
                return IptablesVariant.NFT;
            }
        } catch (IOException e) {
            // No plain iptables: fall through and take whichever variant is installed.
        }
        for (IptablesVariant v : IptablesVariant.values()) {
            if (installed(exec, v)) {
                return v;
            }
        }
        throw new FirewallException(INSTALL_HINT);
    }

    static void requireInstalled(IptablesExec exec, IptablesVariant v) {
        if (!installed(exec, v)) {
            throw new FirewallException(v.restore() + " not found: " + INSTALL_HINT);
        }
    }

    private static boolean installed(IptablesExec exec, IptablesVariant v) {
        try {
            return exec.run(List.of(v.restore(), "--version"), null).ok();
        } catch (IOException e) {
            return false;
        }
    }
}
