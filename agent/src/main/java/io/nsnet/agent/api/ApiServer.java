package io.nsnet.agent.api;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nsnetd's HTTP/1.1 + JSON API on a Unix socket: a thread per connection ({@link ApiConnection}, which says why),
 * Jetty's HTTP parser and generator. The daemon calls {@link #start} once its service is ready (then sends
 * READY=1) and {@link #stop} on SIGTERM before closing the store: stop lets requests in flight finish (up to
 * {@link Limits#stopTimeoutMillis}) so no acknowledged change is cut short. The service serializes mutations
 * itself.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

    /**
     * Tunables; {@link #DEFAULT} suits the daemon, tests shrink them. {@code maxConnections} are served at once
     * (each has a thread); more wait in the socket's backlog until one closes. A connection whose read or write
     * has waited {@code idleTimeoutMillis} is closed (Jetty's default was the same 30 s). The bodies being received
     * at once may hold {@link #bodyBytesInFlight} bytes together; a request that would pass that is refused with
     * 503 (the daemon's heap is 64 MiB: 128 bodies of 1 MiB would not fit).
     */
    public record Limits(int maxBodyBytes, int maxConnections, long idleTimeoutMillis, long stopTimeoutMillis) {
        public static final Limits DEFAULT = new Limits(1 << 20, 128, 30_000, 10_000);

        public Limits {
            if (maxBodyBytes < 1 || maxConnections < 1 || idleTimeoutMillis < 1 || stopTimeoutMillis < 0) {
                throw new IllegalArgumentException("API limits must be positive: " + maxBodyBytes + ", "
                        + maxConnections + ", " + idleTimeoutMillis + ", " + stopTimeoutMillis);
            }
        }

        /** Sixteen bodies at the limit: 16 MiB by default. */
        public int bodyBytesInFlight() {
            return (int) Math.min(Integer.MAX_VALUE, 16L * maxBodyBytes);
        }
    }

    private final Limits limits;
    private ServerSocketChannel listener;
    private Thread acceptor;
    private ScheduledExecutorService idleCheck;
    private final Set<ApiConnection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connectionCount = new AtomicInteger();
    private Path socket;

    public ApiServer() {
        this(Limits.DEFAULT);
    }

    public ApiServer(Limits limits) {
        this.limits = limits;
    }

    /**
     * Binds {@code socket} (creating its directory, replacing a stale socket file, refusing if another daemon
     * answers there), sets it to mode 0660 and serves {@code service} until {@link #stop}.
     *
     * @throws IOException if the socket cannot be prepared or bound
     */
    public synchronized void start(Path socket, NsnetService service) throws IOException {
        if (listener != null) {
            throw new IllegalStateException("API server already started on " + this.socket);
        }
        Path path = socket.toAbsolutePath();
        SocketFile.prepare(path);
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(path), 128);
            // After bind, not before: the file does not exist until then. stop() removes it again.
            SocketFile.restrict(path);
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(path);
            throw e instanceof IOException io ? io
                    : new IOException("cannot start the API on " + path + ": " + e.getMessage(), e);
        }
        ApiRouter router = new ApiRouter(service, Json.strict(), limits.maxBodyBytes());
        listener = ch;
        this.socket = path;
        Semaphore slots = new Semaphore(limits.maxConnections());
        Semaphore bodies = new Semaphore(limits.bodyBytesInFlight());
        idleCheck = Executors.newSingleThreadScheduledExecutor(r -> daemonThread(r, "nsnet-api-idle"));
        long period = Math.max(10, Math.min(1000, limits.idleTimeoutMillis() / 4));
        idleCheck.scheduleWithFixedDelay(this::closeIdle, period, period, TimeUnit.MILLISECONDS);
        acceptor = daemonThread(() -> accept(ch, router, slots, bodies), "nsnet-api-accept");
        acceptor.start();
        LOG.info("API listening on {}", path);
    }

    private void accept(ServerSocketChannel ch, ApiRouter router, Semaphore slots, Semaphore bodies) {
        while (true) {
            SocketChannel client;
            try {
                slots.acquire();
                client = ch.accept();
            } catch (InterruptedException | ClosedChannelException e) {
                return; // stop()
            } catch (IOException e) {
                slots.release();
                LOG.warn("API: accept failed: {}", e.toString());
                sleep(100); // out of file descriptors, say: not a busy loop
                continue;
            }
            ApiConnection c = new ApiConnection(client, router, limits.maxBodyBytes(), bodies, closed -> {
                connections.remove(closed);
                slots.release();
            });
            connections.add(c);
            daemonThread(c, "nsnet-api-" + connectionCount.incrementAndGet()).start();
        }
    }

    private void closeIdle() {
        long now = System.nanoTime();
        long limit = TimeUnit.MILLISECONDS.toNanos(limits.idleTimeoutMillis());
        for (ApiConnection c : connections) {
            long since = c.ioSince();
            if (since != 0 && now - since > limit) {
                LOG.debug("API: closing a connection idle for over {} ms", limits.idleTimeoutMillis());
                c.close();
            }
        }
    }

    /**
     * Daemon threads: the daemon's main thread decides when the process ends, and {@link #stop} waits for
     * requests in flight itself.
     */
    private static Thread daemonThread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Stops accepting, waits for requests in flight, closes and removes the socket. Idempotent. */
    public synchronized void stop() {
        if (listener == null) {
            return;
        }
        try {
            listener.close();
        } catch (IOException e) {
            LOG.warn("closing the API socket: {}", e.toString());
        }
        acceptor.interrupt();
        joinQuietly(acceptor, 1000);
        for (ApiConnection c : connections) {
            c.stopWhenIdle();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limits.stopTimeoutMillis());
        while (!connections.isEmpty() && System.nanoTime() < deadline && sleep(5)) {
            // requests in flight finish
        }
        if (!connections.isEmpty()) {
            LOG.warn("API: {} requests still running after {} ms; closing their connections",
                    connections.size(), limits.stopTimeoutMillis());
            connections.forEach(ApiConnection::close);
        }
        idleCheck.shutdownNow();
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.warn("removing {}: {}", socket, e.toString());
        }
        LOG.info("API on {} stopped", socket);
        listener = null;
    }

    /** False if interrupted (the flag is kept, and the caller stops waiting). */
    private static boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void joinQuietly(Thread t, long millis) {
        try {
            t.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The bound socket, or null before {@link #start}. */
    public synchronized Path socket() {
        return socket;
    }

    @Override
    public void close() {
        stop();
    }
}
