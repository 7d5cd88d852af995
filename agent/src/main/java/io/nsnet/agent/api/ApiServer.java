package io.nsnet.agent.api;

import java.io.IOException;
import java.nio.file.Path;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nsnetd's HTTP/1.1 + JSON API on a Unix socket (Jetty 12 core). The daemon calls {@link #start} once its
 * service is ready (then sends READY=1) and {@link #stop} on SIGTERM before closing the store: stop lets
 * requests in flight finish (up to {@link Limits#stopTimeoutMillis}) so no acknowledged change is cut short.
 * Concurrency is Jetty's thread pool; the service serializes mutations itself.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

    /** Tunables; {@link #DEFAULT} suits the daemon, tests shrink them. */
    public record Limits(int maxBodyBytes, int maxThreads, long stopTimeoutMillis) {
        public static final Limits DEFAULT = new Limits(1 << 20, 64, 10_000);
    }

    private final Limits limits;
    private Server server;
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
        if (server != null) {
            throw new IllegalStateException("API server already started on " + this.socket);
        }
        Path path = socket.toAbsolutePath();
        SocketFile.prepare(path);

        QueuedThreadPool threads = new QueuedThreadPool(limits.maxThreads(), Math.min(4, limits.maxThreads()));
        threads.setName("nsnet-api");
        Server s = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        UnixDomainServerConnector connector = new UnixDomainServerConnector(s, new HttpConnectionFactory(http));
        connector.setUnixDomainPath(path);
        s.addConnector(connector);
        var json = Json.strict();
        s.setHandler(new GracefulHandler(new ApiRouter(service, json, limits.maxBodyBytes())));
        s.setErrorHandler(new JsonErrorHandler(json));
        s.setStopTimeout(limits.stopTimeoutMillis());
        s.setStopAtShutdown(false); // the daemon owns shutdown order: API first, then the store
        try {
            s.start();
            // After bind, not before: the file does not exist until then. Jetty removes it again on stop.
            SocketFile.restrict(path);
        } catch (Exception e) {
            stopQuietly(s);
            if (e instanceof IOException) {
                throw (IOException) e;
            }
            throw new IOException("cannot start the API on " + path + ": " + e.getMessage(), e);
        }
        this.server = s;
        this.socket = path;
        LOG.info("API listening on {}", path);
    }

    /** Stops accepting, waits for requests in flight, closes and removes the socket. Idempotent. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        stopQuietly(server);
        LOG.info("API on {} stopped", socket);
        server = null;
    }

    /** The bound socket, or null before {@link #start}. */
    public synchronized Path socket() {
        return socket;
    }

    @Override
    public void close() {
        stop();
    }

    private static void stopQuietly(Server s) {
        try {
            s.stop();
        } catch (Exception e) {
            LOG.warn("stopping the API server: {}", e.toString());
        }
    }
}
