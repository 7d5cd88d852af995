package io.nsnet.netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import io.nsnet.libc.Errno;
import io.nsnet.libc.ErrnoException;
import io.nsnet.libc.LibC;
import io.nsnet.libc.Native;

/**
 * An open network namespace: a file descriptor on its nsfs inode plus where it was found. Named namespaces
 * live where iproute2 keeps them, bind mounts under /run/netns, so {@code ip netns exec NAME} works on the
 * namespaces nsnet makes and nsnet can open the ones {@code ip netns add} made.
 */
public final class NetNs implements AutoCloseable {
    public static final Path RUN_DIR = Path.of("/run/netns");
    /** Longest name accepted: a file name, kept short enough for the derived names nsnet builds. */
    public static final int MAX_NAME = 64;

    private final Path path;
    private final String name;
    private final int fd;
    private final NsId id;
    private final NsExecutor executor;
    /**
     * For a namespace made ahead ({@link #createUnnamed}): an unnamed inode already allocated in /run/netns
     * (O_TMPFILE) that {@link #bindName} links under the name, or -1. Allocating an inode can cost far more
     * than the rest of naming: on ext4 without a journal the allocator skips every inode freed in the last
     * minutes, reading each one's deletion time, so a host that deletes many namespaces pays ~0.6 ms per new
     * file (measured here), where linking a ready inode costs ~0.015 ms.
     */
    private int mountPoint = -1;
    private boolean closed;

    private NetNs(Path path, String name, int fd, NsExecutor executor) {
        this.path = path;
        this.name = name;
        this.fd = fd;
        this.id = NsId.of(Path.of("/proc/self/fd/" + fd));
        this.executor = executor;
    }

    /** The executor shared by namespaces opened without one (created on first use). */
    public static NsExecutor defaultExecutor() {
        return DefaultExecutor.INSTANCE;
    }

    private static final class DefaultExecutor {
        static final NsExecutor INSTANCE = new NsExecutor();
    }

    public static NetNs open(String name) {
        validateName(name);
        return openPath(RUN_DIR.resolve(name), name, defaultExecutor());
    }

    public static NetNs openPath(Path path) {
        return openPath(path, null, defaultExecutor());
    }

    public static NetNs openPid(long pid) {
        return openPath(Path.of("/proc/" + pid + "/ns/net"), null, defaultExecutor());
    }

    /** The namespace of the calling thread (/proc/thread-self: /proc/self would give the main thread's). */
    public static NetNs current() {
        return openPath(Path.of("/proc/thread-self/ns/net"), null, defaultExecutor());
    }

    /** The namespace the process runs in, where {@link NsExecutor} workers return to. */
    public static NetNs home() {
        return openPath(Path.of("/proc/self/ns/net"), null, defaultExecutor());
    }

    static NetNs openPath(Path path, String name, NsExecutor executor) {
        LibC c = Native.libc();
        int fd = c.open(path.toString(), Native.O_RDONLY | Native.O_CLOEXEC, 0);
        if (fd < 0) {
            int errno = Native.errno();
            if (errno == Errno.ENOENT) {
                throw new NamespaceException("network namespace " + (name != null ? "\"" + name + "\"" : path)
                        + " does not exist");
            }
            throw new ErrnoException("open(" + path + ")", errno);
        }
        return new NetNs(path, name, fd, executor);
    }

    public static boolean exists(String name) {
        validateName(name);
        return Files.exists(RUN_DIR.resolve(name));
    }

    /** Names under /run/netns, as {@code ip netns list} shows them. */
    public static List<String> list() {
        if (!Files.isDirectory(RUN_DIR)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(RUN_DIR)) {
            List<String> names = new ArrayList<>();
            s.forEach(p -> names.add(p.getFileName().toString()));
            names.sort(null);
            return names;
        } catch (IOException e) {
            throw new NamespaceException("cannot list " + RUN_DIR + ": " + e.getMessage(), e);
        }
    }

    /**
     * Creates a named namespace exactly as {@code ip netns add} does: /run/netns made a shared mount point,
     * an empty file created there, and a fresh namespace (unshare on a worker thread) bind-mounted onto it.
     * Returns it open. Fails with a clear message if the name is taken.
     */
    public static NetNs create(String name) {
        return create(name, defaultExecutor());
    }

    public static NetNs create(String name, NsExecutor executor) {
        return create(name, executor, () -> null).ns();
    }

    /** A namespace just created, and what a task run inside it during creation returned. */
    public record Created<T>(NetNs ns, T value) {
    }

    /**
     * Creates a named namespace and, on the same worker and before it switches back, runs {@code inside} in
     * it (typically opening the namespace's netlink socket), saving a thread hand-off per namespace.
     */
    public static <T> Created<T> create(String name, Callable<T> inside) {
        return create(name, defaultExecutor(), inside);
    }

    public static <T> Created<T> create(String name, NsExecutor executor, Callable<T> inside) {
        validateName(name);
        LibC c = Native.libc();
        // The propagation change walks every mount below /run/netns, so it is done once, not per namespace.
        executor.prepareRunDirOnce(() -> prepareRunDir(c));
        Path file = RUN_DIR.resolve(name);
        int fd = c.open(file.toString(), Native.O_RDONLY | Native.O_CREAT | Native.O_EXCL | Native.O_CLOEXEC, 0);
        if (fd < 0) {
            int errno = Native.errno();
            if (errno == Errno.EEXIST) {
                throw new NamespaceException("network namespace \"" + name + "\" already exists");
            }
            throw new ErrnoException("create " + file, errno);
        }
        c.close(fd);
        Object[] made = new Object[2];
        try {
            executor.callAtHome(() -> {
                Native.check(c.unshare(Native.CLONE_NEWNET), "unshare(CLONE_NEWNET)");
                Native.check(c.mount("/proc/thread-self/ns/net", file.toString(), "none", Native.MS_BIND, null),
                        "mount --bind /proc/thread-self/ns/net " + file);
                made[0] = Native.check(c.open("/proc/thread-self/ns/net", Native.O_RDONLY | Native.O_CLOEXEC, 0),
                        "open(/proc/thread-self/ns/net)");
                made[1] = inside.call();
                return null;
            });
        } catch (RuntimeException e) {
            if (made[0] != null) {
                c.close((Integer) made[0]);
            }
            c.umount2(file.toString(), Native.MNT_DETACH);
            c.unlink(file.toString());
            throw e;
        }
        @SuppressWarnings("unchecked")
        T value = (T) made[1];
        return new Created<>(new NetNs(file, name, (Integer) made[0], executor), value);
    }

    /**
     * Starts making a namespace with no name on a worker of {@code executor} and returns at once; {@code inside}
     * runs in the new namespace before the worker switches back (e.g. opening its netlink socket and bringing
     * loopback up). This is namespace creation done ahead of time, off the path of whoever needs one next: the
     * unshare is most of the cost of a new namespace. The namespace lives only as long as the returned handle
     * (and whatever {@code inside} opened in it) stays open, so a process that dies leaves nothing behind.
     * {@link #bindName} gives it its name when it is used.
     */
    public static <T> Future<Created<T>> createUnnamed(NsExecutor executor, Callable<T> inside) {
        LibC c = Native.libc();
        return executor.submitAtHome(() -> {
            Native.check(c.unshare(Native.CLONE_NEWNET), "unshare(CLONE_NEWNET)");
            int fd = Native.check(c.open("/proc/thread-self/ns/net", Native.O_RDONLY | Native.O_CLOEXEC, 0),
                    "open(/proc/thread-self/ns/net)");
            try {
                T value = inside.call();
                NetNs made = new NetNs(Path.of("/proc/self/fd/" + fd), null, fd, executor);
                made.mountPoint = unnamedMountPoint(c, executor);
                return new Created<>(made, value);
            } catch (Exception | Error e) {
                c.close(fd);
                throw e;
            }
        });
    }

    /**
     * An unnamed inode in /run/netns, to become the namespace's name later, or -1 where O_TMPFILE is not
     * supported or /run/netns cannot be prepared now (naming then creates the file). The directory is made a mount first: a link must stay on
     * the mount the inode was opened through. It is freed with its descriptor if it is never linked, so a
     * namespace dropped unnamed, or a process that dies, leaves no file behind.
     */
    private static int unnamedMountPoint(LibC c, NsExecutor executor) {
        try {
            executor.prepareRunDirOnce(() -> prepareRunDir(c));
        } catch (RuntimeException e) {
            return -1; // naming will try again and report it: the namespace itself is fine
        }
        int fd = c.open(RUN_DIR.toString(), Native.O_TMPFILE | Native.O_WRONLY | Native.O_CLOEXEC, 0);
        return fd >= 0 ? fd : -1;
    }

    /**
     * Names this namespace {@code name} under /run/netns, as {@code ip netns attach} does (a bind mount of its
     * nsfs file), and returns it opened under that name; this handle stays open and is the caller's to close.
     * For a namespace from {@link #createUnnamed}; fails with a clear message if the name is taken.
     */
    public synchronized NetNs bindName(String name) {
        Path file = mountName(name);
        try {
            return openPath(file, name, executor);
        } catch (RuntimeException e) {
            LibC c = Native.libc();
            c.umount2(file.toString(), Native.MNT_DETACH);
            c.unlink(file.toString());
            throw e;
        }
    }

    /**
     * As {@link #bindName}, for a caller that keeps using this handle: the namespace gets its name and nothing is
     * opened again.
     */
    public synchronized void giveName(String name) {
        mountName(name);
    }

    private Path mountName(String name) {
        validateName(name);
        LibC c = Native.libc();
        executor.prepareRunDirOnce(() -> prepareRunDir(c));
        Path file = RUN_DIR.resolve(name);
        if (!linkMountPoint(c, file)) {
            int created = c.open(file.toString(), Native.O_RDONLY | Native.O_CREAT | Native.O_EXCL | Native.O_CLOEXEC,
                    0);
            if (created < 0) {
                throw nameError(file, Native.errno());
            }
            c.close(created);
        }
        try {
            // /proc/self/fd/N of an nsfs file resolves to the namespace itself, as /proc/PID/ns/net does.
            Native.check(c.mount("/proc/self/fd/" + fd(), file.toString(), "none", Native.MS_BIND, null),
                    "mount --bind " + this + " " + file);
            return file;
        } catch (RuntimeException e) {
            c.umount2(file.toString(), Native.MNT_DETACH);
            c.unlink(file.toString());
            throw e;
        }
    }

    /**
     * Links the inode allocated ahead under {@code file}, as an exclusive create would make it (linkat never
     * replaces an existing name). Returns false if there was none or it cannot be linked (e.g. /run/netns was
     * mounted over since): the caller creates the file instead.
     */
    private boolean linkMountPoint(LibC c, Path file) {
        if (mountPoint < 0) {
            return false;
        }
        int inode = mountPoint;
        mountPoint = -1;
        try {
            if (c.linkat(Native.AT_FDCWD, "/proc/self/fd/" + inode, Native.AT_FDCWD, file.toString(),
                    Native.AT_SYMLINK_FOLLOW) == 0) {
                return true;
            }
            int errno = Native.errno();
            if (errno == Errno.EEXIST) {
                throw nameError(file, errno);
            }
            return false;
        } finally {
            c.close(inode);
        }
    }

    private static RuntimeException nameError(Path file, int errno) {
        if (errno == Errno.EEXIST) {
            return new NamespaceException("network namespace \"" + file.getFileName() + "\" already exists");
        }
        return new ErrnoException("create " + file, errno);
    }

    private static void prepareRunDir(LibC c) {
        try {
            Files.createDirectories(RUN_DIR);
        } catch (IOException e) {
            throw new NamespaceException("cannot create " + RUN_DIR + ": " + e.getMessage(), e);
        }
        String dir = RUN_DIR.toString();
        // As iproute2: make the directory a shared mount (bind it onto itself first if it is not a mount),
        // so namespaces mounted here propagate to other mount namespaces and can be unmounted from them.
        if (c.mount("", dir, "none", Native.MS_SHARED | Native.MS_REC, null) != 0) {
            int errno = Native.errno();
            if (errno != Errno.EINVAL) {
                throw new ErrnoException("mount --make-rshared " + dir, errno);
            }
            Native.check(c.mount(dir, dir, "none", Native.MS_BIND | Native.MS_REC, null), "mount --bind " + dir);
            Native.check(c.mount("", dir, "none", Native.MS_SHARED | Native.MS_REC, null),
                    "mount --make-rshared " + dir);
        }
    }

    /**
     * Removes a named namespace as {@code ip netns delete} does: lazy unmount and unlink. The kernel frees the
     * namespace, and the links in it, once nothing else holds it. Returns false if there was no such name.
     */
    public static boolean delete(String name) {
        validateName(name);
        LibC c = Native.libc();
        Path file = RUN_DIR.resolve(name);
        if (!Files.exists(file)) {
            return false;
        }
        if (c.umount2(file.toString(), Native.MNT_DETACH) != 0) {
            int errno = Native.errno();
            if (errno != Errno.EINVAL) { // EINVAL: not a mount point, e.g. left over from a crash mid-create
                throw new ErrnoException("umount " + file, errno);
            }
        }
        if (c.unlink(file.toString()) != 0 && Native.errno() != Errno.ENOENT) {
            throw new ErrnoException("unlink " + file, Native.errno());
        }
        return true;
    }

    static void validateName(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME || name.equals(".") || name.equals("..")
                || !name.chars().allMatch(ch -> ch > 32 && ch < 127 && ch != '/')) {
            throw new IllegalArgumentException("namespace name \"" + name + "\" is invalid: 1-" + MAX_NAME
                    + " printable characters without '/' or spaces");
        }
    }

    /** Runs a task on a worker thread inside this namespace (see {@link NsExecutor}). */
    public <T> T call(Callable<T> task) {
        return executor.call(this, task);
    }

    public void run(Runnable task) {
        call(() -> {
            task.run();
            return null;
        });
    }

    public int fd() {
        if (closed) {
            throw new IllegalStateException("namespace handle " + this + " is closed");
        }
        return fd;
    }

    public NsId id() {
        return id;
    }

    public Path path() {
        return path;
    }

    /** The name under /run/netns, or null when opened by path or pid. */
    public String name() {
        return name;
    }

    public boolean sameAs(NetNs other) {
        return id.equals(other.id);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Native.libc().close(fd);
            if (mountPoint >= 0) {
                Native.libc().close(mountPoint);
                mountPoint = -1;
            }
        }
    }

    @Override
    public String toString() {
        return name != null ? "netns " + name : "netns " + path + " " + id;
    }
}
