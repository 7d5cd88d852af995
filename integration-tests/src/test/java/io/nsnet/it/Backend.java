package io.nsnet.it;

/**
 * The firewall backends the daemon can drive ({@code --firewall-backend}), and the matching tools the tests
 * observe them with: libiptc works on the legacy tables in-process, so it is observed with iptables-legacy;
 * nftables works on iptables-nft's tables in-process, so it is observed with iptables-nft.
 */
enum Backend {
    NFT("nft", "iptables-nft"),
    LEGACY("legacy", "iptables-legacy"),
    LIBIPTC("libiptc", "iptables-legacy"),
    NFTABLES("nftables", "iptables-nft");

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
