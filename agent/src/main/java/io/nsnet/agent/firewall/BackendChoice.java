package io.nsnet.agent.firewall;

import java.util.Locale;

/**
 * Configuration value {@code --firewall-backend auto|nft|legacy|libiptc}. {@code libiptc} works on the legacy
 * tables in-process, without iptables processes; {@code auto} takes it when the host is on legacy tables and
 * libip4tc loads.
 */
public enum BackendChoice {
    AUTO, NFT, LEGACY, LIBIPTC;

    public static BackendChoice parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("invalid firewall backend '" + text + "': use auto, nft, legacy or libiptc");
        }
    }
}
