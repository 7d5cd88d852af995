package io.nsnet.systemd;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import io.nsnet.libc.ErrnoException;
import io.nsnet.libc.LibC;
import io.nsnet.libc.Native;

/**
 * sd_notify(3) without libsystemd: one AF_UNIX datagram to $NOTIFY_SOCKET ("READY=1", "STOPPING=1",
 * "STATUS=..."). The JDK's DatagramChannel has no AF_UNIX support, hence the libc socket. A leading '@' names
 * an abstract socket. Without NOTIFY_SOCKET (not started by systemd with Type=notify) it does nothing.
 */
public final class SdNotify {
    private final String socketPath;

    public SdNotify(String socketPath) {
        this.socketPath = socketPath == null || socketPath.isEmpty() ? null : socketPath;
    }

    public static SdNotify fromEnvironment() {
        return new SdNotify(System.getenv("NOTIFY_SOCKET"));
    }

    public boolean enabled() {
        return socketPath != null;
    }

    /** Sends the state lines; returns false when there is no notify socket. */
    public boolean notify(String state) {
        if (socketPath == null) {
            return false;
        }
        byte[] path = socketPath.getBytes(StandardCharsets.UTF_8);
        if (path.length > 107) {
            throw new IllegalArgumentException("NOTIFY_SOCKET path is longer than sun_path allows: " + socketPath);
        }
        ByteBuffer addr = ByteBuffer.allocateDirect(110).order(ByteOrder.nativeOrder());
        addr.putShort((short) Native.AF_UNIX);
        addr.put(path);
        if (path[0] == '@') {
            addr.put(2, (byte) 0); // abstract namespace: sun_path starts with NUL, no terminator counted
        } else {
            addr.put((byte) 0);
        }
        int addrLen = 2 + path.length + (path[0] == '@' ? 0 : 1);
        byte[] msg = state.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocateDirect(msg.length);
        buf.put(msg).flip();
        LibC c = Native.libc();
        int fd = Native.check(c.socket(Native.AF_UNIX, Native.SOCK_DGRAM | Native.SOCK_CLOEXEC, 0), "socket(AF_UNIX)");
        try {
            addr.position(0);
            if (c.sendto(fd, buf, msg.length, 0, addr, addrLen) < 0) {
                throw new ErrnoException("sendto(" + socketPath + ")", Native.errno());
            }
        } finally {
            c.close(fd);
        }
        return true;
    }
}
