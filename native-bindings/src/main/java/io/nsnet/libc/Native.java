package io.nsnet.libc;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * The loaded libc and its errno, with the constants nsnet uses.
 *
 * <p>The library is loaded once per class loader (an immutable handle, not mutable state). errno must be read
 * on the thread that made the failing call, right after it: JNR saves it per thread.
 */
public final class Native {
    public static final int AF_UNIX = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int AF_NETLINK = 16;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int NETLINK_ROUTE = 0;
    public static final int NETLINK_NETFILTER = 12;
    public static final int SOL_SOCKET = 1;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    /** SO_SNDBUF beyond net.core.wmem_max; needs CAP_NET_ADMIN. */
    public static final int SO_SNDBUFFORCE = 32;
    public static final int SOL_NETLINK = 270;
    public static final int NETLINK_ADD_MEMBERSHIP = 1;
    public static final int NETLINK_DROP_MEMBERSHIP = 2;
    public static final int NETLINK_CAP_ACK = 10;
    public static final int NETLINK_EXT_ACK = 11;
    public static final int NETLINK_GET_STRICT_CHK = 12;

    public static final int MSG_DONTWAIT = 0x40;
    public static final short POLLIN = 0x1;

    public static final int CLONE_NEWNS = 0x00020000;
    public static final int CLONE_NEWNET = 0x40000000;

    public static final long MS_BIND = 4096;
    public static final long MS_REC = 16384;
    public static final long MS_SHARED = 1 << 20;
    public static final long MS_SLAVE = 1 << 19;
    public static final int MNT_DETACH = 2;

    public static final int O_RDONLY = 0;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_CLOEXEC = 02000000;
    public static final int O_WRONLY = 01;
    /** An unnamed inode in the given directory (__O_TMPFILE | O_DIRECTORY), linkable later with linkat. */
    public static final int O_TMPFILE = 020200000;
    public static final int AT_FDCWD = -100;
    public static final int AT_SYMLINK_FOLLOW = 0x400;

    private static final long SYS_GETTID = 186; // x86_64

    private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    private static final Runtime RUNTIME = Runtime.getRuntime(LIBC);

    private Native() {
    }

    public static LibC libc() {
        return LIBC;
    }

    /** errno of the last failed call made on this thread. */
    public static int errno() {
        return RUNTIME.getLastError();
    }

    public static int gettid() {
        return (int) LIBC.syscall(SYS_GETTID);
    }

    /** Throws an {@link ErrnoException} for {@code op} if {@code rc} is negative; returns rc otherwise. */
    public static int check(int rc, String op) {
        if (rc < 0) {
            throw new ErrnoException(op, errno());
        }
        return rc;
    }

    public static long check(long rc, String op) {
        if (rc < 0) {
            throw new ErrnoException(op, errno());
        }
        return rc;
    }
}
