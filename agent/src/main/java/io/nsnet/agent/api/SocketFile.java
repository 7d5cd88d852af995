package io.nsnet.agent.api;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * The socket file's life around the server: a file left by a daemon that died (kill -9, power loss) must not
 * stop the next start, but a live daemon must not be robbed of its socket by a second one.
 */
final class SocketFile {
    /** 0660: the owner (root) and the socket's group may connect; connecting needs write permission. */
    static final Set<PosixFilePermission> MODE = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE);
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private SocketFile() {
    }

    /**
     * Creates the parent directory and removes a stale socket. Refuses (IOException) when something answers
     * on the path, or when the path is something other than a socket, which we have no business deleting.
     */
    static void prepare(Path socket) throws IOException {
        Path parent = socket.getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        int mode = (Integer) Files.getAttribute(socket, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & S_IFMT) != S_IFSOCK) {
            throw new IOException(socket + " exists and is not a socket; refusing to replace it");
        }
        if (answers(socket)) {
            throw new IOException("another daemon is already serving on " + socket + "; refusing to start");
        }
        Files.deleteIfExists(socket);
    }

    /** Whether a process accepts connections on the socket (a stale file gives ECONNREFUSED). */
    static boolean answers(Path socket) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            return ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            return false;
        }
    }

    static void restrict(Path socket) throws IOException {
        Files.setPosixFilePermissions(socket, MODE);
    }
}
