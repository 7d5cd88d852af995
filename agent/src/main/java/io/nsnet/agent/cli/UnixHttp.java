package io.nsnet.agent.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpGenerator;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.util.BufferUtil;

/**
 * HTTP/1.1 over a Unix socket, one persistent connection, each exchange done on the calling thread: write the
 * request, wait for the socket, parse the answer. The encoding and parsing are Jetty's ({@link HttpGenerator},
 * {@link HttpParser}); only the I/O is done here, as curl does. Used by the CLI and by the bench (for nsnetd's
 * and dockerd's APIs).
 *
 * <p>Why not Jetty's HttpClient, which the CLI used before: for one request per process it was the slowest part
 * of a command. Measured in {@code nsnet network ls} against a local daemon, starting it took 74–93 ms and its
 * first request 41–51 ms, on a helper thread the command then waited 30–52 ms for. Its selector and executor
 * threads also hand each answer over two or three times, which the bench measured as 0.4–1.5 ms per call.
 *
 * <p>Not for concurrent use: one exchange at a time (methods are synchronized).
 */
public final class UnixHttp implements AutoCloseable {

    /** A complete answer. */
    public record Response(int status, byte[] body) {
        public boolean ok() {
            return status / 100 == 2;
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private static final long TOOL_TIMEOUT_MILLIS = TimeUnit.SECONDS.toMillis(120);

    private final UnixDomainSocketAddress address;
    private final String userAgent;
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    private SocketChannel channel;
    private Selector selector;

    public UnixHttp(Path socket, String userAgent) {
        this.address = UnixDomainSocketAddress.of(socket);
        this.userAgent = userAgent;
    }

    /**
     * One request and its answer.
     *
     * @param json    the request body (sent as {@code application/json}), or null for none
     * @throws SocketTimeoutException if no complete answer came within {@code timeoutMillis}
     * @throws IOException            if the socket cannot be reached or the answer is not HTTP; the connection is
     *                                dropped, and the next exchange opens a new one
     */
    public synchronized Response exchange(String method, String path, byte[] json, long timeoutMillis)
            throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        try {
            ensureConnected();
            write(request(method, path, json), deadline);
            return read(deadline);
        } catch (IOException | RuntimeException e) {
            disconnect();
            throw e;
        }
    }

    // For tools (the bench): failures are unchecked and name the request.

    public Response get(String path) {
        return call("GET", path, null);
    }

    public Response post(String path, String json) {
        return call("POST", path, json.getBytes(StandardCharsets.UTF_8));
    }

    public Response delete(String path) {
        return call("DELETE", path, null);
    }

    /** The body of a 2xx answer; any other is an error naming the request. */
    public static String expectOk(String what, Response r) {
        if (!r.ok()) {
            throw new IllegalStateException(what + ": HTTP " + r.status() + " " + r.text());
        }
        return r.text();
    }

    private Response call(String method, String path, byte[] json) {
        try {
            return exchange(method, path, json, TOOL_TIMEOUT_MILLIS);
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + ": " + e, e);
        }
    }

    /** Connects if there is no connection, or if the server closed the idle one (readable while idle = EOF). */
    private void ensureConnected() throws IOException {
        if (channel != null && selector.selectNow() > 0) {
            selector.selectedKeys().clear();
            disconnect();
        }
        if (channel == null) {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            Selector sel = null;
            try {
                ch.connect(address);
                ch.configureBlocking(false);
                sel = Selector.open();
                ch.register(sel, SelectionKey.OP_READ);
            } catch (IOException | RuntimeException e) {
                ch.close();
                if (sel != null) {
                    sel.close();
                }
                throw e;
            }
            channel = ch;
            selector = sel;
        }
    }

    private ByteBuffer request(String method, String path, byte[] json) throws IOException {
        byte[] body = json == null ? new byte[0] : json;
        HttpFields.Mutable fields = HttpFields.build().put(HttpHeader.HOST, "localhost")
                .put(HttpHeader.ACCEPT, "application/json").put(HttpHeader.USER_AGENT, userAgent);
        if (json != null) {
            fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        }
        MetaData.Request info = new MetaData.Request(method, HttpURI.from(path), HttpVersion.HTTP_1_1, fields,
                body.length);
        HttpGenerator generator = new HttpGenerator();
        ByteBuffer header = null;
        ByteBuffer content = ByteBuffer.wrap(body);
        ByteBuffer out = ByteBuffer.allocate(body.length + 1024);
        while (true) {
            HttpGenerator.Result result = generator.generateRequest(info, header, null, content, true);
            switch (result) {
                case NEED_HEADER -> header = BufferUtil.allocate(1024); // Jetty buffers start empty, in flush mode
                case FLUSH -> {
                    out = append(out, header);
                    out = append(out, content);
                }
                case CONTINUE, SHUTDOWN_OUT -> {
                    // nothing to write
                }
                case DONE -> {
                    return out.flip();
                }
                default -> throw new IOException("HTTP request generation: unexpected " + result);
            }
        }
    }

    private static ByteBuffer append(ByteBuffer out, ByteBuffer b) {
        if (b.remaining() > out.remaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(out.position() + b.remaining() + 1024);
            out.flip();
            bigger.put(out);
            out = bigger;
        }
        out.put(b);
        return out;
    }

    private void write(ByteBuffer b, long deadline) throws IOException {
        while (b.hasRemaining()) {
            if (channel.write(b) == 0) {
                // The request did not fit the socket buffer (large bodies only): wait until it drains.
                try (Selector w = Selector.open()) {
                    channel.register(w, SelectionKey.OP_WRITE);
                    w.select(remainingMillis(deadline));
                }
            }
        }
    }

    private Response read(long deadline) throws IOException {
        Answer answer = new Answer();
        HttpParser parser = new HttpParser(answer);
        in.clear().flip();
        while (!answer.complete) {
            if (!in.hasRemaining()) {
                in.clear();
                int n = channel.read(in);
                while (n == 0) {
                    selector.select(remainingMillis(deadline));
                    selector.selectedKeys().clear();
                    if (Thread.currentThread().isInterrupted()) {
                        throw new java.io.InterruptedIOException("interrupted while waiting for the answer");
                    }
                    n = channel.read(in);
                }
                in.flip();
                if (n < 0) {
                    parser.atEOF();
                }
            }
            parser.parseNext(in);
            if (answer.failure != null) {
                throw new IOException(answer.failure);
            }
            if (!answer.complete && parser.isClosed()) {
                throw new IOException("connection closed before the answer was complete");
            }
        }
        if (parser.isClose() || in.hasRemaining()) {
            disconnect(); // the server will close it (or sent more than one answer): start afresh next time
        }
        return new Response(answer.status, answer.body.toByteArray());
    }

    private static long remainingMillis(long deadline) throws SocketTimeoutException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("no answer in time");
        }
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(left));
    }

    /** What the parser reports of one answer. */
    private static final class Answer implements HttpParser.ResponseHandler {
        int status;
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean complete;
        String failure;

        @Override
        public void startResponse(HttpVersion version, int code, String reason) {
            status = code;
        }

        @Override
        public void parsedHeader(HttpField field) {
            // headers are not needed
        }

        @Override
        public boolean headerComplete() {
            return false;
        }

        @Override
        public boolean content(ByteBuffer chunk) {
            byte[] b = new byte[chunk.remaining()];
            chunk.get(b);
            body.write(b, 0, b.length);
            return false;
        }

        @Override
        public boolean contentComplete() {
            return false;
        }

        @Override
        public boolean messageComplete() {
            complete = true;
            return true;
        }

        @Override
        public void earlyEOF() {
            failure = "connection closed in the middle of the answer";
        }

        @Override
        public void badMessage(HttpException e) {
            failure = "bad HTTP answer: " + e.getReason();
        }
    }

    private void disconnect() {
        try {
            if (selector != null) {
                selector.close();
            }
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            // closing; nothing to do
        }
        selector = null;
        channel = null;
    }

    @Override
    public synchronized void close() {
        disconnect();
    }
}
