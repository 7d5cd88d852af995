package io.nsnet.link;

import io.nsnet.netns.NetNs;

/** What to create: a closed set of link kinds, each carrying only what that kind takes. */
public sealed interface LinkSpec {
    String name();

    /**
     * A Linux bridge with STP off. {@code mtu} 0 and {@code mac} null leave the kernel's defaults.
     */
    record Bridge(String name, int mtu, MacAddress mac) implements LinkSpec {
        public Bridge {
            IfName.validate(name);
            LinkSpec.checkMtu(mtu);
        }

        public static Bridge named(String name) {
            return new Bridge(name, 0, null);
        }
    }

    /**
     * A veth pair. The peer is created directly in {@code peerNs} under its final name (no rename, no move);
     * a null peerNs keeps it beside this end. {@code masterIndex} (0: none) and {@code up} configure this end
     * in the same request. The peer cannot be brought up in that request: the kernel configures the peer
     * before it links the pair, and opening a veth without its peer fails with ENOTCONN.
     */
    record Veth(String name, int mtu, MacAddress mac, int masterIndex, boolean up,
            String peerName, NetNs peerNs, MacAddress peerMac) implements LinkSpec {
        public Veth {
            IfName.validate(name);
            IfName.validate(peerName);
            LinkSpec.checkMtu(mtu);
        }

        public static Veth pair(String name, String peerName, NetNs peerNs) {
            return new Veth(name, 0, null, 0, false, peerName, peerNs, null);
        }

        public Veth withMaster(int index) {
            return new Veth(name, mtu, mac, index, up, peerName, peerNs, peerMac);
        }

        public Veth withUp(boolean thisEnd) {
            return new Veth(name, mtu, mac, masterIndex, thisEnd, peerName, peerNs, peerMac);
        }

        public Veth withMtu(int newMtu) {
            return new Veth(name, newMtu, mac, masterIndex, up, peerName, peerNs, peerMac);
        }

        public Veth withPeerMac(MacAddress m) {
            return new Veth(name, mtu, mac, masterIndex, up, peerName, peerNs, m);
        }
    }

    private static void checkMtu(int mtu) {
        if (mtu != 0 && (mtu < 68 || mtu > 65535)) {
            throw new IllegalArgumentException("mtu " + mtu + " is out of range 68-65535");
        }
    }
}
