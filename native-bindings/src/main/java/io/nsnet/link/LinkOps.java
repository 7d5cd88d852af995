package io.nsnet.link;

import java.util.List;
import java.util.Optional;

import io.nsnet.netlink.NetlinkException;
import io.nsnet.netlink.NetlinkSocket;
import io.nsnet.netlink.NlMsg;
import io.nsnet.netlink.Nl;

/** Link operations in the namespace the socket belongs to. */
public final class LinkOps {
    private final NetlinkSocket sock;

    public LinkOps(NetlinkSocket sock) {
        this.sock = sock;
    }

    /** Creates the link; EEXIST surfaces as {@link NetlinkException.AlreadyExistsException}. */
    public void add(LinkSpec spec) {
        sock.request(LinkMessages.create(spec), "create " + spec.getClass().getSimpleName().toLowerCase()
                + " " + spec.name());
    }

    /**
     * Creates the link and returns it as the kernel made it, from the NLM_F_ECHO copy of the notification
     * (kernels from 6.1 echo new links), saving a lookup. For a veth, {@link Link#peerIndex()} is then the
     * peer's ifindex in its own namespace. Falls back to a lookup by name on kernels that do not echo.
     */
    public Link addAndGet(LinkSpec spec) {
        io.nsnet.netlink.NlMsgBuilder msg = LinkMessages.create(spec);
        List<NlMsg> replies = sock.request(LinkMessages.withEcho(msg), "create "
                + spec.getClass().getSimpleName().toLowerCase() + " " + spec.name());
        return replies.stream().filter(m -> m.type() == Nl.RTM_NEWLINK).findFirst().map(LinkMessages::parse)
                .orElseGet(() -> get(spec.name()));
    }

    public Link get(String name) {
        return parseOne(sock.request(LinkMessages.getByName(name), "get link " + name));
    }

    public Link get(int index) {
        return parseOne(sock.request(LinkMessages.get(index), "get link #" + index));
    }

    /** The link of that name, or empty when there is none. */
    public Optional<Link> find(String name) {
        try {
            return Optional.of(get(name));
        } catch (NetlinkException.NotFoundException e) {
            return Optional.empty();
        }
    }

    private static Link parseOne(List<NlMsg> replies) {
        return replies.stream().filter(m -> m.type() == Nl.RTM_NEWLINK).findFirst().map(LinkMessages::parse)
                .orElseThrow(() -> new io.nsnet.netlink.NetlinkProtocolException("no RTM_NEWLINK in reply"));
    }

    public List<Link> list() {
        return sock.dump(LinkMessages.dump(), "list links").stream()
                .filter(m -> m.type() == Nl.RTM_NEWLINK).map(LinkMessages::parse).toList();
    }

    public void setUp(int index) {
        sock.request(LinkMessages.modify(index, Nl.IFF_UP, Nl.IFF_UP), "set link #" + index + " up");
    }

    public void setDown(int index) {
        sock.request(LinkMessages.modify(index, 0, Nl.IFF_UP), "set link #" + index + " down");
    }

    public void setMaster(int index, int masterIndex) {
        sock.request(LinkMessages.modify(index, 0, 0).attrU32(Nl.IFLA_MASTER, masterIndex),
                "set master of link #" + index + " to #" + masterIndex);
    }

    public void setNoMaster(int index) {
        setMaster(index, 0);
    }

    public void setMtu(int index, int mtu) {
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("mtu " + mtu + " is out of range 68-65535");
        }
        sock.request(LinkMessages.modify(index, 0, 0).attrU32(Nl.IFLA_MTU, mtu), "set mtu of link #" + index);
    }

    public void setMac(int index, MacAddress mac) {
        sock.request(LinkMessages.modify(index, 0, 0).attr(Nl.IFLA_ADDRESS, mac.bytes()),
                "set address of link #" + index);
    }

    public void setAlias(int index, String alias) {
        sock.request(LinkMessages.setAlias(index, alias), "set alias of link #" + index);
    }

    /** Bridge-port hairpin mode: whether frames may leave through the port they came in on. */
    public void setHairpin(int index, boolean on) {
        sock.request(LinkMessages.setHairpin(index, on), "set hairpin " + (on ? "on" : "off") + " on link #" + index);
    }

    public void delete(int index) {
        sock.request(LinkMessages.delete(index), "delete link #" + index);
    }

    public void delete(String name) {
        sock.request(LinkMessages.deleteByName(name), "delete link " + name);
    }
}
