package io.nsnet.agent.proxy;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.nsnet.agent.model.ConflictException;
import io.nsnet.agent.model.Ipv4;
import io.nsnet.agent.model.PortMapping;
import io.nsnet.agent.model.Protocol;
import io.nsnet.netns.NetNs;

/**
 * Docker's docker-proxy, inside the daemon: for each published port it listens on the host address and port
 * and relays TCP streams and UDP datagrams to the sandbox. It serves what the NAT rules of the proxy layout
 * leave to it: connections to 127.0.0.1:PORT from the host and hairpin traffic from the same bridge.
 *
 * <p>Every socket is created on a worker inside the host namespace (a socket belongs to the namespace of the
 * thread that creates it) and then used from ordinary threads: no extra processes.
 */
public final class UserlandProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UserlandProxy.class);
    private static final long UDP_IDLE_MS = 90_000;

    private final NetNs host;
    private final Map<Key, Listener> listeners = new ConcurrentHashMap<>();

    public UserlandProxy(NetNs host) {
        this.host = host;
    }

    /** Identity of a published port on the host. */
    public record Key(String hostIp, int hostPort, Protocol protocol) {
        public static Key of(PortMapping p) {
            return new Key(p.hostIp().map(Ipv4::toString).orElse("0.0.0.0"), p.hostPort(), p.protocol());
        }

        InetSocketAddress address() {
            return new InetSocketAddress(hostIp, hostPort);
        }

        @Override
        public String toString() {
            return hostIp + ":" + hostPort + "/" + protocol.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private interface Listener extends AutoCloseable {
        @Override
        void close();
    }

    /** Whether the host port could be bound now (nothing else holds it). Binds and releases a socket. */
    public void checkFree(PortMapping p) {
        Key key = Key.of(p);
        if (listeners.containsKey(key)) {
            return; // ours: the store decides whether it is taken
        }
        try {
            host.call(() -> {
                if (p.protocol() == Protocol.TCP) {
                    try (ServerSocketChannel s = ServerSocketChannel.open()) {
                        s.bind(key.address());
                    }
                } else {
                    try (DatagramChannel d = DatagramChannel.open()) {
                        d.bind(key.address());
                    }
                }
                return null;
            });
        } catch (RuntimeException e) {
            throw portTaken(key, e);
        }
    }

    private static RuntimeException portTaken(Key key, Throwable e) {
        Throwable c = e;
        while (c.getCause() != null && !(c instanceof BindException)) {
            c = c.getCause();
        }
        if (c instanceof BindException) {
            String why = String.valueOf(c.getMessage());
            if (why.contains("assign requested address")) {
                return new io.nsnet.agent.model.ValidationException("host IP " + key.hostIp()
                        + ": not an address of the host namespace");
            }
            return new ConflictException("host port " + key + " is already in use on the host");
        }
        return e instanceof RuntimeException re ? re : new IllegalStateException(e);
    }

    /** Starts relaying {@code p} to {@code target}; a no-op if it is already published. */
    public void publish(PortMapping p, Ipv4 target) {
        Key key = Key.of(p);
        InetSocketAddress dest = new InetSocketAddress(target.toString(), p.containerPort());
        listeners.computeIfAbsent(key, k -> {
            try {
                return p.protocol() == Protocol.TCP ? new TcpListener(k, dest) : new UdpListener(k, dest);
            } catch (RuntimeException e) {
                throw portTaken(k, e);
            }
        });
    }

    public void unpublish(PortMapping p) {
        Listener l = listeners.remove(Key.of(p));
        if (l != null) {
            l.close();
        }
    }

    public Set<Key> published() {
        return Set.copyOf(listeners.keySet());
    }

    @Override
    public void close() {
        listeners.values().forEach(Listener::close);
        listeners.clear();
    }

    private static Thread daemonThread(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Accepts on the host port and relays each connection to the sandbox with two copying threads. */
    private final class TcpListener implements Listener {
        private final ServerSocketChannel server;
        private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();

        TcpListener(Key key, InetSocketAddress dest) {
            server = host.call(() -> {
                ServerSocketChannel s = ServerSocketChannel.open();
                s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                s.bind(key.address(), 128);
                return s;
            });
            daemonThread("proxy-" + key, () -> acceptLoop(key, dest));
        }

        private void acceptLoop(Key key, InetSocketAddress dest) {
            while (server.isOpen()) {
                SocketChannel client;
                try {
                    client = server.accept();
                } catch (IOException e) {
                    if (server.isOpen()) {
                        LOG.warn("proxy {}: accept failed: {}", key, e.getMessage());
                    }
                    return;
                }
                open.add(client);
                daemonThread("proxy-conn-" + key, () -> relay(key, client, dest));
            }
        }

        private void relay(Key key, SocketChannel client, InetSocketAddress dest) {
            SocketChannel backend = null;
            try {
                backend = host.call(SocketChannel::open);
                open.add(backend);
                backend.connect(dest);
                SocketChannel b = backend;
                Thread up = daemonThread("proxy-up-" + key, () -> copy(client, b));
                copy(b, client);
                up.join();
            } catch (IOException | RuntimeException e) {
                LOG.debug("proxy {}: connection to {} failed: {}", key, dest, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                closeQuietly(client);
                closeQuietly(backend);
                open.remove(client);
                if (backend != null) {
                    open.remove(backend);
                }
            }
        }

        private void copy(SocketChannel from, SocketChannel to) {
            ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
            try {
                while (from.read(buf) >= 0) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        to.write(buf);
                    }
                    buf.clear();
                }
                to.shutdownOutput(); // pass the half-close on, as docker-proxy does
            } catch (IOException e) {
                closeQuietly(from);
                closeQuietly(to);
            }
        }

        @Override
        public void close() {
            closeQuietly(server);
            open.forEach(UserlandProxy::closeQuietly);
        }
    }

    /** Relays datagrams; one backend socket per client address, dropped after 90 s without traffic. */
    private final class UdpListener implements Listener {
        private final DatagramChannel server;
        private final Map<SocketAddress, Flow> flows = new ConcurrentHashMap<>();

        private final class Flow {
            final DatagramChannel backend;
            volatile long lastUsed = System.currentTimeMillis();

            Flow(DatagramChannel backend) {
                this.backend = backend;
            }
        }

        UdpListener(Key key, InetSocketAddress dest) {
            server = host.call(() -> {
                DatagramChannel d = DatagramChannel.open();
                d.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                d.bind(key.address());
                return d;
            });
            daemonThread("proxy-" + key, () -> receiveLoop(key, dest));
        }

        private void receiveLoop(Key key, InetSocketAddress dest) {
            ByteBuffer buf = ByteBuffer.allocate(65535);
            while (server.isOpen()) {
                try {
                    buf.clear();
                    SocketAddress from = server.receive(buf);
                    buf.flip();
                    Flow flow = flows.get(from);
                    if (flow == null) {
                        DatagramChannel backend = host.call(DatagramChannel::open);
                        backend.connect(dest);
                        Flow created = new Flow(backend);
                        flows.put(from, created);
                        daemonThread("proxy-udp-" + key, () -> replyLoop(from, created));
                        flow = created;
                    }
                    flow.lastUsed = System.currentTimeMillis();
                    flow.backend.write(buf);
                    expireIdle();
                } catch (ClosedChannelException e) {
                    return;
                } catch (IOException | RuntimeException e) {
                    if (server.isOpen()) {
                        LOG.debug("proxy {}: {}", key, e.getMessage());
                    }
                }
            }
        }

        private void replyLoop(SocketAddress client, Flow flow) {
            ByteBuffer buf = ByteBuffer.allocate(65535);
            try {
                while (flow.backend.isOpen()) {
                    buf.clear();
                    flow.backend.read(buf);
                    buf.flip();
                    flow.lastUsed = System.currentTimeMillis();
                    server.send(buf, client);
                }
            } catch (IOException e) {
                // closed by expiry or shutdown, or the sandbox answered with ICMP unreachable
            } finally {
                closeQuietly(flow.backend);
                flows.remove(client, flow);
            }
        }

        private void expireIdle() {
            long now = System.currentTimeMillis();
            flows.forEach((addr, f) -> {
                if (now - f.lastUsed > UDP_IDLE_MS) {
                    closeQuietly(f.backend);
                    flows.remove(addr, f);
                }
            });
        }

        @Override
        public void close() {
            closeQuietly(server);
            flows.values().forEach(f -> closeQuietly(f.backend));
            flows.clear();
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // nothing useful to do while closing
            }
        }
    }
}
