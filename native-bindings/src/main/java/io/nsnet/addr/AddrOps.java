package io.nsnet.addr;

import java.util.List;

import io.nsnet.netlink.NetlinkSocket;
import io.nsnet.netlink.Nl;

/** Address operations in the namespace the socket belongs to. */
public final class AddrOps {
    private final NetlinkSocket sock;

    public AddrOps(NetlinkSocket sock) {
        this.sock = sock;
    }

    public void add(int linkIndex, IpPrefix prefix) {
        sock.request(AddrMessages.add(linkIndex, prefix), "add address " + prefix + " to link #" + linkIndex);
    }

    public void delete(int linkIndex, IpPrefix prefix) {
        sock.request(AddrMessages.delete(linkIndex, prefix), "delete address " + prefix + " from link #" + linkIndex);
    }

    /** Every address of the given family (Nl.AF_INET, Nl.AF_INET6 or Nl.AF_UNSPEC for both). */
    public List<Address> list(int family) {
        return sock.dump(AddrMessages.dump(family), "list addresses").stream()
                .filter(m -> m.type() == Nl.RTM_NEWADDR).map(AddrMessages::parse).toList();
    }

    public List<Address> list(int family, int linkIndex) {
        return list(family).stream().filter(a -> a.linkIndex() == linkIndex).toList();
    }
}
