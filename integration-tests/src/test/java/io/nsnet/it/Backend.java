package io.nsnet.it;

/**
 * The firewall backends the daemon can drive, and the tools the tests observe them with: the two iptables
 * variants, and libiptc, which writes the legacy tables in-process (so iptables-legacy-save sees its work).
 */
enum Backend {
    NFT("nft", "iptables-nft"),
    LEGACY("legacy", "iptables-legacy"),
    LIBIPTC("libiptc", "iptables-legacy");

    final String flag;
    final String iptables;

    Backend(String flag, String iptables) {
        this.flag = flag;
        this.iptables = iptables;
    }

    String save() {
        return iptables + "-save";
    }

    static Backend of(String name) {
        return valueOf(name.toUpperCase(java.util.Locale.ROOT));
    }
}
