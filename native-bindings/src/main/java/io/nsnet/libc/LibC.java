package io.nsnet.libc;

import java.nio.ByteBuffer;

import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * The few libc calls nsnet needs, bound through JNR-FFI.
 *
 * <p>Buffers are direct {@link ByteBuffer}s annotated {@code @In}/{@code @Out} so JNR passes their address
 * and copies nothing (a plain {@code byte[]} would be copied both ways on every call). Every call saves errno,
 * which {@link Native#errno()} reads on the same thread.
 */
public interface LibC {
    int socket(int domain, int type, int protocol);

    int bind(int fd, @In ByteBuffer addr, int addrlen);

    long send(int fd, @In ByteBuffer buf, long len, int flags);

    long recv(int fd, @Out ByteBuffer buf, long len, int flags);

    long sendto(int fd, @In ByteBuffer buf, long len, int flags, @In ByteBuffer addr, int addrlen);

    int close(int fd);

    int setsockopt(int fd, int level, int optname, @In ByteBuffer optval, int optlen);

    /** {@code fds} holds {@code struct pollfd} entries (int fd, short events, short revents; 8 bytes each). */
    int poll(@In @Out ByteBuffer fds, long nfds, int timeoutMs);

    int setns(int fd, int nstype);

    /** glibc: gives free memory at the top of the heap and in free pages of the arenas back to the kernel. */
    int malloc_trim(long pad);

    int unshare(int flags);

    int mount(String source, String target, String fstype, long flags, String data);

    int umount2(String target, int flags);

    int open(String path, int flags, int mode);

    int unlink(String path);

    int linkat(int oldDirFd, String oldPath, int newDirFd, String newPath, int flags);

    long syscall(long number);

    /** The CPU the calling thread runs on (glibc reads it without a system call where it can). */
    int sched_getcpu();

    /** {@code mask} is a {@code cpu_set_t}: bit n of word n/64 is CPU n; {@code pid} 0 is the calling thread. */
    int sched_getaffinity(int pid, long cpusetsize, @Out long[] mask);

    int sched_setaffinity(int pid, long cpusetsize, @In long[] mask);

    String strerror(int errnum);
}
