package io.nsnet.netlink;

/** The kernel sent something nsnet cannot decode: a malformed length or an unexpected message. */
public class NetlinkProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NetlinkProtocolException(String message) {
        super(message);
    }
}
