package io.nsnet.agent.firewall;

import java.util.Locale;

/**
 * Configuration value {@code --firewall-backend auto|nftables|libiptc|nft|legacy}. {@code nftables} works on
 * iptables-nft's tables in-process over nf_tables netlink, {@code libiptc} on the legacy tables in-process; both
 * without iptables processes. {@code nft} and {@code legacy} run iptables-nft-restore / iptables-legacy-restore.
 * {@code auto} detects which tables the host uses and takes the in-process backend for them (libiptc only when
 * libip4tc loads).
 */
public enum BackendChoice {
    AUTO, NFT, LEGACY, LIBIPTC, NFTABLES;

    public static BackendChoice parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("invalid firewall backend '" + text + "': use auto, nftables, libiptc, nft or legacy");
        }
    }
}
