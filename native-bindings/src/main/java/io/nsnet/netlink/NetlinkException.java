package io.nsnet.netlink;

import io.nsnet.libc.Errno;
import io.nsnet.libc.ErrnoException;

/**
 * The kernel refused a netlink request: errno from the NLMSG_ERROR payload and, when the kernel gave one,
 * its extended-ack text (e.g. "Unknown device type"). {@link #of} picks the typed subclass for the errnos
 * callers branch on.
 */
public class NetlinkException extends ErrnoException {
    private static final long serialVersionUID = 1L;
    private final String extAck;

    protected NetlinkException(String operation, int errno, String extAck) {
        super(operation, errno, operation + ": " + Errno.name(errno) + " (" + errno + ")"
                + (extAck == null || extAck.isEmpty() ? "" : ": " + extAck));
        this.extAck = extAck == null ? "" : extAck;
    }

    public static NetlinkException of(String operation, int errno, String extAck) {
        return switch (errno) {
            case Errno.EEXIST -> new AlreadyExistsException(operation, errno, extAck);
            case Errno.ENODEV, Errno.ENOENT, Errno.ESRCH, Errno.EADDRNOTAVAIL ->
                    new NotFoundException(operation, errno, extAck);
            default -> new NetlinkException(operation, errno, extAck);
        };
    }

    /** The kernel's extended-ack message, or "" when it sent none. */
    public String extAck() {
        return extAck;
    }

    /** EEXIST: a link, address or route of that identity is already there. */
    public static final class AlreadyExistsException extends NetlinkException {
        private static final long serialVersionUID = 1L;

        AlreadyExistsException(String operation, int errno, String extAck) {
            super(operation, errno, extAck);
        }
    }

    /** ENODEV, ENOENT, ESRCH or EADDRNOTAVAIL: the object the request names does not exist. */
    public static final class NotFoundException extends NetlinkException {
        private static final long serialVersionUID = 1L;

        NotFoundException(String operation, int errno, String extAck) {
            super(operation, errno, extAck);
        }
    }
}
