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
     *
     * <p>{@code queues} (0: the kernel's default) sets the TX and RX queue count of both ends. By default the
     * kernel allocates one queue per possible CPU and then cuts the active count to one, and cutting it on a
     * registered device waits for an RCU grace period (synchronize_net under RTNL), once per end. Asking for
     * one queue gives the same single active queue without either wait.
     */
    record Veth(String name, int mtu, MacAddress mac, int masterIndex, boolean up,
            String peerName, NetNs peerNs, MacAddress peerMac, int queues) implements LinkSpec {
        /** The kernel's limit on a device's TX and RX queues. */
        public static final int MAX_QUEUES = 4096;

        public Veth {
            IfName.validate(name);
            IfName.validate(peerName);
            LinkSpec.checkMtu(mtu);
            if (queues < 0 || queues > MAX_QUEUES) {
                throw new IllegalArgumentException("veth queues " + queues + " is out of range 1-" + MAX_QUEUES
                        + " (0: the kernel's default)");
            }
        }

        public static Veth pair(String name, String peerName, NetNs peerNs) {
            return new Veth(name, 0, null, 0, false, peerName, peerNs, null, 0);
        }

        public Veth withMaster(int index) {
            return new Veth(name, mtu, mac, index, up, peerName, peerNs, peerMac, queues);
        }

        public Veth withUp(boolean thisEnd) {
            return new Veth(name, mtu, mac, masterIndex, thisEnd, peerName, peerNs, peerMac, queues);
        }

        public Veth withMtu(int newMtu) {
            return new Veth(name, newMtu, mac, masterIndex, up, peerName, peerNs, peerMac, queues);
        }

        public Veth withPeerMac(MacAddress m) {
            return new Veth(name, mtu, mac, masterIndex, up, peerName, peerNs, m, queues);
        }

        public Veth withQueues(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("veth queues " + n + " is out of range 1-" + MAX_QUEUES);
            }
            return new Veth(name, mtu, mac, masterIndex, up, peerName, peerNs, peerMac, n);
        }
    }

    private static void checkMtu(int mtu) {
        if (mtu != 0 && (mtu < 68 || mtu > 65535)) {
            throw new IllegalArgumentException("mtu " + mtu + " is out of range 68-65535");
        }
    }
}
