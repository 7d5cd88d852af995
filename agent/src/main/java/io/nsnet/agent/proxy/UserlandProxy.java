package io.nsnet.agent.proxy;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

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
 * thread that creates it) and then used from ordinary threads: no extra processes. One thread accepts on every
 * published TCP port ({@link Acceptor}); each connection is relayed by threads of its own.
 */
public final class UserlandProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UserlandProxy.class);
    private static final long UDP_IDLE_MS = 90_000;

    private final NetNs host;
    private final Acceptor acceptor = new Acceptor();
    private final Map<Key, Listener> listeners = new ConcurrentHashMap<>();
    /** Host ports bound by {@link #reserve} and not yet published: the sockets {@link #publish} will serve on. */
    private final Map<Key, java.io.Closeable> reserved = new ConcurrentHashMap<>();

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

    /**
     * Refuses a host port that cannot be bound now (something else holds it), without keeping it: for the layout
     * without the proxy, where nothing of nsnet listens on published ports.
     */
    public void checkFree(PortMapping p) {
        Key key = Key.of(p);
        if (listeners.containsKey(key)) {
            return; // ours: the store decides whether it is taken
        }
        try {
            closeQuietly(bind(key));
        } catch (RuntimeException e) {
            throw portTaken(key, e);
        }
    }

    /**
     * Refuses a host port that cannot be bound now, and keeps the socket bound for {@link #publish} to serve on.
     * Checking and then binding again to publish cost two hand-offs to the host namespace, and left a moment in
     * which something else could take the port. {@link #release} gives it back if the sandbox is not made.
     */
    public void reserve(PortMapping p) {
        Key key = Key.of(p);
        if (listeners.containsKey(key) || reserved.containsKey(key)) {
            return;
        }
        try {
            reserved.put(key, bind(key));
        } catch (RuntimeException e) {
            throw portTaken(key, e);
        }
    }

    /** Gives back a port {@link #reserve}d and not published; a no-op otherwise. */
    public void release(PortMapping p) {
        closeQuietly(reserved.remove(Key.of(p)));
    }

    /**
     * A socket bound to the host port, made in the host namespace: listening for TCP (connections wait in the
     * backlog until the accept loop starts). UDP gets no SO_REUSEADDR: on Linux that would let two UDP sockets share
     * the port, and the bind would no longer prove that nothing else holds it.
     */
    private java.io.Closeable bind(Key key) {
        return host.call(() -> {
            if (key.protocol() == Protocol.TCP) {
                ServerSocketChannel s = ServerSocketChannel.open();
                try {
                    s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                    s.bind(key.address(), 128);
                    return s;
                } catch (IOException | RuntimeException e) {
                    closeQuietly(s);
                    throw e;
                }
            }
            DatagramChannel d = DatagramChannel.open();
            try {
                d.bind(key.address());
                return d;
            } catch (IOException | RuntimeException e) {
                closeQuietly(d);
                throw e;
            }
        });
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

    /**
     * Starts relaying {@code p} to {@code target}, on the socket {@link #reserve}d for it if there is one; a no-op if
     * it is already published.
     */
    public void publish(PortMapping p, Ipv4 target) {
        Key key = Key.of(p);
        InetSocketAddress dest = new InetSocketAddress(target.toString(), p.containerPort());
        listeners.computeIfAbsent(key, k -> {
            java.io.Closeable bound = reserved.remove(k);
            try {
                if (bound == null) {
                    bound = bind(k);
                }
            } catch (RuntimeException e) {
                throw portTaken(k, e);
            }
            return bound instanceof ServerSocketChannel tcp ? new TcpListener(k, dest, tcp)
                    : new UdpListener(k, dest, (DatagramChannel) bound);
        });
    }

    /** Stops relaying {@code p} and closes its socket (or gives back its reservation). */
    public void unpublish(PortMapping p) {
        release(p);
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
        reserved.values().forEach(UserlandProxy::closeQuietly);
        reserved.clear();
        listeners.values().forEach(Listener::close);
        listeners.clear();
        acceptor.close();
    }

    private static Thread daemonThread(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Accepts on every published TCP port from one thread (a selector), started with the first. Why not a thread
     * per port, as before: starting one took ~0.2 ms of each attach with a port (a sandbox's links were waiting on
     * it), and hundreds of published ports kept as many threads parked in accept. The sockets are bound and
     * listening before they get here (see {@link #reserve}), so a connection that comes first waits in the backlog.
     */
    private final class Acceptor {
        /** Work for the selector's thread: registering and removing ports (a selector is not thread-safe). */
        private final ConcurrentLinkedQueue<Runnable> changes = new ConcurrentLinkedQueue<>();
        private Selector selector;
        private Thread thread;
        private boolean closed;

        /** Starts accepting on {@code l}'s socket. */
        synchronized void add(TcpListener l) {
            if (closed) {
                throw new IllegalStateException("proxy is closed");
            }
            if (thread == null) {
                try {
                    selector = Selector.open();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException("cannot open the proxy's selector", e);
                }
                Selector sel = selector;
                thread = daemonThread("proxy-accept", () -> loop(sel));
            }
            Selector sel = selector;
            changes.add(() -> {
                try {
                    l.server.register(sel, SelectionKey.OP_ACCEPT, l);
                } catch (ClosedChannelException | java.nio.channels.ClosedSelectorException e) {
                    // unpublished before it was registered, or the proxy is closing
                }
            });
            sel.wakeup();
        }

        /**
         * Stops accepting on {@code l}'s socket and closes it, returning once the port is free. A socket registered
         * with a selector is only really closed once the selector has let go of it, so that is done on the
         * selector's thread, and waited for: a sandbox made right after may publish the same port.
         */
        void remove(TcpListener l) {
            Selector sel;
            synchronized (this) {
                sel = selector;
            }
            if (sel == null || !sel.isOpen()) {
                closeQuietly(l.server);
                return;
            }
            CompletableFuture<Void> done = new CompletableFuture<>();
            changes.add(() -> {
                SelectionKey k = l.server.keyFor(sel);
                if (k != null) {
                    k.cancel();
                    try {
                        sel.selectNow(); // deregisters the cancelled key
                    } catch (IOException | java.nio.channels.ClosedSelectorException e) {
                        // closing the selector (the proxy is closing) deregisters every key as well
                        LOG.debug("proxy: selectNow failed: {}", e.toString());
                    }
                }
                closeQuietly(l.server);
                done.complete(null);
            });
            sel.wakeup();
            try {
                done.get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closeQuietly(l.server);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                LOG.warn("proxy: the accept thread did not release a port in time: {}", e.toString());
                closeQuietly(l.server);
            }
        }

        private void loop(Selector sel) {
            while (sel.isOpen()) {
                try {
                    sel.select();
                } catch (IOException | java.nio.channels.ClosedSelectorException e) {
                    return;
                }
                for (Runnable r; (r = changes.poll()) != null; ) {
                    r.run();
                }
                if (!sel.isOpen()) {
                    return;
                }
                for (SelectionKey k : sel.selectedKeys()) {
                    if (k.isValid() && k.isAcceptable()) {
                        ((TcpListener) k.attachment()).acceptWaiting();
                    }
                }
                sel.selectedKeys().clear();
            }
        }

        void close() {
            Selector sel;
            synchronized (this) {
                closed = true;
                sel = selector;
            }
            if (sel != null) {
                closeQuietly(sel);
            }
            for (Runnable r; (r = changes.poll()) != null; ) {
                try {
                    r.run(); // removals still waiting: they close their sockets (registrations fail, closed)
                } catch (RuntimeException e) {
                    LOG.debug("proxy: closing: {}", e.toString());
                }
            }
        }
    }

    /** Accepts on the host port and relays each connection to the sandbox with two copying threads. */
    private final class TcpListener implements Listener {
        private final Key key;
        private final InetSocketAddress dest;
        private final ServerSocketChannel server;
        private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();

        TcpListener(Key key, InetSocketAddress dest, ServerSocketChannel server) {
            this.key = key;
            this.dest = dest;
            this.server = server;
            try {
                server.configureBlocking(false);
                acceptor.add(this);
            } catch (IOException | RuntimeException e) {
                // Not published: the reserved socket would otherwise stay bound, with nothing left to close it.
                closeQuietly(server);
                throw e instanceof IOException io
                        ? new java.io.UncheckedIOException("proxy " + key + ": cannot make the socket non-blocking", io)
                        : (RuntimeException) e;
            }
        }

        /** On the accept thread: takes every connection waiting and starts relaying each. */
        void acceptWaiting() {
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
                if (client == null) {
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
            acceptor.remove(this);
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

        UdpListener(Key key, InetSocketAddress dest, DatagramChannel server) {
            this.server = server;
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
