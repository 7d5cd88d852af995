package io.nsnet.agent.firewall;

import java.util.List;

/** The two iptables backends. nsnet uses exactly one per namespace and never mixes them. */
public enum IptablesVariant {
    NFT("nft"),
    LEGACY("legacy");

    private final String suffix;

    IptablesVariant(String suffix) {
        this.suffix = suffix;
    }

    public String iptables() {
        return "iptables-" + suffix;
    }

    public String save() {
        return "iptables-" + suffix + "-save";
    }

    public String restore() {
        return "iptables-" + suffix + "-restore";
    }

    /** One transaction; {@code --wait} takes the xtables lock (legacy) instead of failing when it is busy. */
    public List<String> restoreArgv() {
        return List.of(restore(), "--noflush", "--wait");
    }

    public List<String> saveArgv() {
        return List.of(save());
    }
}
