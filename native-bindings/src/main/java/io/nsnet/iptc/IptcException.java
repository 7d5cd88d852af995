package io.nsnet.iptc;

import io.nsnet.libc.Errno;
import io.nsnet.libc.ErrnoException;

/**
 * A libiptc call that returned failure: the operation, errno, and libiptc's own text for it
 * ({@code iptc_strerror}, which knows the function that failed, e.g. "Chain already exists" for EEXIST from
 * iptc_create_chain, or "Bad rule (does a matching rule exist in that chain?)").
 */
public final class IptcException extends ErrnoException {
    private static final long serialVersionUID = 1L;
    private final String libiptcMessage;

    public IptcException(String operation, int errno, String libiptcMessage) {
        super(operation, errno, operation + ": " + libiptcMessage + " (" + Errno.name(errno) + ", " + errno + ")");
        this.libiptcMessage = libiptcMessage;
    }

    /** What iptc_strerror said. */
    public String libiptcMessage() {
        return libiptcMessage;
    }
}
