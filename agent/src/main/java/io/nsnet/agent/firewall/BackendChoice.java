package io.nsnet.agent.firewall;

import java.util.Locale;

/** Configuration value {@code --firewall-backend auto|nft|legacy}. */
public enum BackendChoice {
    AUTO, NFT, LEGACY;

    public static BackendChoice parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("invalid firewall backend '" + text + "': use auto, nft or legacy");
        }
    }
}
