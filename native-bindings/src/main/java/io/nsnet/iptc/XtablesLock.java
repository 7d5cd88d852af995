package io.nsnet.iptc;

import io.nsnet.libc.ErrnoException;
import io.nsnet.libc.Native;
import jnr.ffi.LibraryLoader;

/**
 * The lock every iptables-legacy command takes around its read-modify-commit of a table: an exclusive
 * {@code flock(2)} on {@code /run/xtables.lock} (or {@code $XTABLES_LOCKFILE}), as {@code iptables -w} does.
 * libiptc itself takes no lock, and a commit replaces the whole table, so without it a concurrent
 * {@code iptables-legacy -A} between our read and our commit would be silently undone.
 *
 * <p>It must be flock, not {@link java.nio.channels.FileChannel#lock()}: the JDK uses fcntl record locks,
 * which Linux keeps separate from flock locks. The lock is per mount namespace, not per network namespace:
 * like iptables, this serialises with every legacy iptables process on the host.
 */
public final class XtablesLock implements AutoCloseable {
    /** The one call the libc binding of native-bindings does not have. */
    public interface Flock {
        int flock(int fd, int operation);
    }

    private static final int LOCK_EX = 2;
    private static final int LOCK_UN = 8;
    private static final int O_RDWR = 2;

    private static final class Holder {
        static final Flock FLOCK = LibraryLoader.create(Flock.class).load("c");
    }

    private final int fd;

    private XtablesLock(int fd) {
        this.fd = fd;
    }

    public static String path() {
        String env = System.getenv("XTABLES_LOCKFILE");
        return env == null || env.isEmpty() ? "/run/xtables.lock" : env;
    }

    /** Blocks until the lock is held (iptables --wait without a timeout). */
    public static XtablesLock acquire() {
        String path = path();
        int fd = Native.libc().open(path, Native.O_CREAT | O_RDWR | Native.O_CLOEXEC, 0600);
        if (fd < 0) {
            throw new ErrnoException("open(" + path + ")", Native.errno());
        }
        while (Holder.FLOCK.flock(fd, LOCK_EX) != 0) {
            int errno = Native.errno();
            if (errno != io.nsnet.libc.Errno.EINTR) {
                Native.libc().close(fd);
                throw new ErrnoException("flock(" + path + ", LOCK_EX)", errno);
            }
        }
        return new XtablesLock(fd);
    }

    @Override
    public void close() {
        Holder.FLOCK.flock(fd, LOCK_UN);
        Native.libc().close(fd);
    }
}
