package io.nsnet.link;

import io.nsnet.netlink.Nl;

/**
 * A link as the kernel reports it. {@code masterIndex} is 0 without a master; {@code linkNetnsId} is the
 * peer namespace's id as seen from this namespace (-1 when the peer is local or there is none). {@code alias}
 * is IFLA_IFALIAS ("" when unset), which owners use to mark the links they made.
 */
public record Link(int index, String name, LinkKind kind, int masterIndex, int flags, MacAddress mac, int mtu,
        int linkNetnsId, int peerIndex, String alias) {

    public boolean isUp() {
        return (flags & Nl.IFF_UP) != 0;
    }

    public boolean hasMaster() {
        return masterIndex != 0;
    }
}
