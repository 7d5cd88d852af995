package io.nsnet.libc;

import java.util.Map;

/** Symbolic names of the errno values a network agent meets (Linux x86_64/arm64 numbering). */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int ENOTDIR = 20;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int ERANGE = 34;
    public static final int ENOBUFS = 105;
    public static final int EOPNOTSUPP = 95;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETUNREACH = 101;
    /** nf_tables: the batch's generation id is stale (kernel-internal ERESTART, 85, reaches userspace as is). */
    public static final int ERESTART = 85;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(EPERM, "EPERM"), Map.entry(ENOENT, "ENOENT"), Map.entry(ESRCH, "ESRCH"),
            Map.entry(EINTR, "EINTR"), Map.entry(EBADF, "EBADF"), Map.entry(EAGAIN, "EAGAIN"),
            Map.entry(ENOMEM, "ENOMEM"), Map.entry(EACCES, "EACCES"), Map.entry(EBUSY, "EBUSY"),
            Map.entry(EEXIST, "EEXIST"), Map.entry(ENODEV, "ENODEV"), Map.entry(ENOTDIR, "ENOTDIR"),
            Map.entry(EINVAL, "EINVAL"), Map.entry(ENOSPC, "ENOSPC"), Map.entry(ERANGE, "ERANGE"),
            Map.entry(ENOBUFS, "ENOBUFS"), Map.entry(EOPNOTSUPP, "EOPNOTSUPP"),
            Map.entry(EADDRINUSE, "EADDRINUSE"), Map.entry(EADDRNOTAVAIL, "EADDRNOTAVAIL"),
            Map.entry(ENETUNREACH, "ENETUNREACH"), Map.entry(ERESTART, "ERESTART"), Map.entry(7, "E2BIG"), Map.entry(24, "EMFILE"),
            Map.entry(36, "ENAMETOOLONG"), Map.entry(39, "ENOTEMPTY"), Map.entry(93, "EPROTONOSUPPORT"),
            Map.entry(97, "EAFNOSUPPORT"), Map.entry(113, "EHOSTUNREACH"), Map.entry(61, "ENODATA"),
            Map.entry(90, "EMSGSIZE"), Map.entry(107, "ENOTCONN"));

    private Errno() {
    }

    public static String name(int errno) {
        return NAMES.getOrDefault(errno, "E#" + errno);
    }
}
