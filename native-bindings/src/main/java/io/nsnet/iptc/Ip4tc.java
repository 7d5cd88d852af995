package io.nsnet.iptc;

import java.util.List;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * The loaded libip4tc. Loading is attempted once per class loader; the result (library or the reason it
 * failed) is immutable.
 *
 * <p>Why two names: Debian's runtime package libip4tc2 ships only {@code libip4tc.so.2}; the unversioned
 * {@code libip4tc.so} symlink comes with libip4tc-dev, which a production host does not have. jnr resolves a
 * bare "ip4tc" to versioned files on most systems, but we do not rely on that.
 */
public final class Ip4tc {
    static final List<String> NAMES = List.of("ip4tc", "libip4tc.so.2");

    private static final class Holder {
        static final LibIp4tc LIB;
        static final Runtime RUNTIME;
        static final String FAILURE;

        static {
            LibIp4tc lib = null;
            StringBuilder why = new StringBuilder();
            for (String name : NAMES) {
                try {
                    lib = LibraryLoader.create(LibIp4tc.class).failImmediately().load(name);
                    break;
                } catch (LinkageError | RuntimeException e) {
                    why.append(name).append(": ").append(e.getMessage()).append("; ");
                }
            }
            LIB = lib;
            RUNTIME = lib == null ? null : Runtime.getRuntime(lib);
            FAILURE = lib == null ? "libip4tc cannot be loaded (install libip4tc2): " + why : null;
        }
    }

    private Ip4tc() {
    }

    /** Whether libip4tc loaded in this process. */
    public static boolean available() {
        return Holder.LIB != null;
    }

    /** Why it did not load, or null. */
    public static String loadFailure() {
        return Holder.FAILURE;
    }

    static LibIp4tc lib() {
        if (Holder.LIB == null) {
            throw new IllegalStateException(Holder.FAILURE);
        }
        return Holder.LIB;
    }

    /** errno saved by the last libip4tc call on this thread. */
    static int errno() {
        return Holder.RUNTIME.getLastError();
    }
}
