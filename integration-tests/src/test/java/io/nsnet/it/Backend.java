package io.nsnet.it;

/** The two iptables variants the daemon can drive, and the matching tools the tests observe them with. */
enum Backend {
    NFT("nft", "iptables-nft"),
    LEGACY("legacy", "iptables-legacy");

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
