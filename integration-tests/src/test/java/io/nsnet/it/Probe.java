package io.nsnet.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import io.nsnet.netns.NetNs;

/**
 * Tiny TCP and UDP servers and clients living in a chosen namespace. A socket belongs to the namespace of the
 * thread that created it, so each channel is opened inside {@code NetNs.call} and then used from ordinary
 * threads. The servers answer every peer with the address they saw it come from: that is how a scenario proves
 * SNAT/MASQUERADE/DNAT without conntrack tools or tcpdump.
 */
final class Probe {
    private Probe() {
    }

    /** Opens a channel inside {@code ns} (the only step that must run there). */
    static <T> T inside(Netns ns, java.util.concurrent.Callable<T> open) {
        if (ns.isRoot()) {
            try {
                return open.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        try (NetNs n = NetNs.open(ns.name())) {
            return n.call(open);
        }
    }

    /** A TCP server answering each connection with "PEER_IP" and closing; remembers the peers. */
    static final class TcpServer implements AutoCloseable {
        private final ServerSocketChannel server;
        private final List<String> peers = new CopyOnWriteArrayList<>();
        private final Thread thread;

        TcpServer(Netns ns, String bindIp, int port) {
            server = inside(ns, () -> {
                ServerSocketChannel s = ServerSocketChannel.open();
                s.bind(new InetSocketAddress(bindIp, port));
                return s;
            });
            thread = new Thread(this::serve, "tcp-probe-" + ns + ":" + port);
            thread.setDaemon(true);
            thread.start();
        }

        private void serve() {
            while (server.isOpen()) {
                try (SocketChannel c = server.accept()) {
                    String peer = ((InetSocketAddress) c.getRemoteAddress()).getAddress().getHostAddress();
                    peers.add(peer);
                    c.write(ByteBuffer.wrap((peer + "\n").getBytes(StandardCharsets.US_ASCII)));
                } catch (IOException e) {
                    return;
                }
            }
        }

        List<String> peers() {
            return peers;
        }

        @Override
        public void close() {
            quietly(server);
        }
    }

    /** A UDP server answering each datagram with "PEER_IP"; remembers the peers. */
    static final class UdpServer implements AutoCloseable {
        private final DatagramChannel channel;
        private final List<String> peers = new CopyOnWriteArrayList<>();

        UdpServer(Netns ns, String bindIp, int port) {
            channel = inside(ns, () -> {
                DatagramChannel d = DatagramChannel.open();
                d.bind(new InetSocketAddress(bindIp, port));
                return d;
            });
            Thread t = new Thread(this::serve, "udp-probe-" + ns + ":" + port);
            t.setDaemon(true);
            t.start();
        }

        private void serve() {
            ByteBuffer buf = ByteBuffer.allocate(1500);
            while (channel.isOpen()) {
                try {
                    buf.clear();
                    InetSocketAddress from = (InetSocketAddress) channel.receive(buf);
                    String peer = from.getAddress().getHostAddress();
                    peers.add(peer);
                    channel.send(ByteBuffer.wrap((peer + "\n").getBytes(StandardCharsets.US_ASCII)), from);
                } catch (IOException e) {
                    return;
                }
            }
        }

        List<String> peers() {
            return peers;
        }

        @Override
        public void close() {
            quietly(channel);
        }
    }

    private static void quietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // a probe's socket: nothing to recover
        }
    }

    /** Connects from {@code ns} to ip:port; the server's answer (the peer it saw), or empty if unreachable. */
    static Optional<String> tcp(Netns ns, String ip, int port, int timeoutMs) {
        try (SocketChannel c = inside(ns, SocketChannel::open)) {
            c.socket().connect(new InetSocketAddress(ip, port), timeoutMs);
            c.socket().setSoTimeout(timeoutMs);
            byte[] buf = new byte[64];
            int n = c.socket().getInputStream().read(buf);
            return n <= 0 ? Optional.empty() : Optional.of(new String(buf, 0, n, StandardCharsets.US_ASCII).strip());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** A UDP answer: the peer address the server reported, and the address the reply came from. */
    record UdpReply(String peerSeen, String replyFrom) {
    }

    /** Sends datagrams from {@code ns} to ip:port until one is answered (3 tries); the answer, or empty. */
    static Optional<String> udp(Netns ns, String ip, int port, int timeoutMs) {
        return udpReply(ns, ip, port, timeoutMs).map(UdpReply::peerSeen);
    }

    /**
     * As {@link #udp} but on an unconnected socket, so a reply from another source address than the one asked
     * is still received (and reported) instead of being filtered out by the kernel.
     */
    static Optional<UdpReply> udpReply(Netns ns, String ip, int port, int timeoutMs) {
        try (DatagramChannel d = inside(ns, DatagramChannel::open)) {
            d.bind(new InetSocketAddress(0));
            d.socket().setSoTimeout(timeoutMs);
            InetSocketAddress to = new InetSocketAddress(ip, port);
            for (int attempt = 0; attempt < 3; attempt++) {
                d.send(ByteBuffer.wrap("hello\n".getBytes(StandardCharsets.US_ASCII)), to);
                try {
                    java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[64], 64);
                    d.socket().receive(p);
                    return Optional.of(new UdpReply(new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII).strip(),
                            p.getAddress().getHostAddress()));
                } catch (SocketTimeoutException e) {
                    // lost or unreachable: try again
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** {@code ping} from {@code ns}: true if at least one of {@code count} echo requests was answered. */
    static boolean ping(Netns ns, String ip, int count) {
        return ns.run("ping", "-n", "-q", "-c", String.valueOf(count), "-i", "0.2", "-W", "1", ip).ok();
    }
}
