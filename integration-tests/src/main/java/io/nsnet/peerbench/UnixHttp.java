package io.nsnet.peerbench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.util.BufferUtil;

/**
 * A JSON-over-HTTP/1.1 client on a Unix socket for nsnetd's and dockerd's APIs: one persistent connection,
 * each call done entirely on the calling thread (write the request, wait for the socket, parse the answer).
 *
 * <p>Why not Jetty's HttpClient, which this used before: its selector and executor threads take a request and its
 * answer through two or three thread hand-offs, each a wake-up of a parked thread. Measured against nsnetd on
 * this 2-CPU machine, that added 0.4 ms to a GET /v1/ping back to back and 1.2-1.5 ms when calls are spaced out
 * as the bench spaces them (tools alternate, so each thread has gone idle), on operations of a few ms: the
 * bench was timing its own client. The HTTP encoding and parsing are still Jetty's (HttpGenerator, HttpParser);
 * only the I/O is done here, on one thread, as curl does.
 */
final class UnixHttp implements AutoCloseable {
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(120);

    record Response(int status, String body) {
        boolean ok() {
            return status / 100 == 2;
        }
    }

    private final UnixDomainSocketAddress address;
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    private SocketChannel channel;
    private Selector selector;

    UnixHttp(Path socket) {
        this.address = UnixDomainSocketAddress.of(socket);
    }

    Response get(String path) {
        return send(HttpMethod.GET, path, null);
    }

    Response post(String path, String json) {
        return send(HttpMethod.POST, path, json);
    }

    Response delete(String path) {
        return send(HttpMethod.DELETE, path, null);
    }

    /** Like {@link #post} etc. but a non-2xx answer is an error naming the request. */
    String expectOk(String what, Response r) {
        if (!r.ok()) {
            throw new IllegalStateException(what + ": HTTP " + r.status() + " " + r.body());
        }
        return r.body();
    }

    private Response send(HttpMethod method, String path, String json) {
        try {
            ensureConnected();
            write(request(method, path, json));
            return read();
        } catch (IOException | RuntimeException e) {
            disconnect();
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
            try {
                ch.connect(address);
                ch.configureBlocking(false);
                selector = Selector.open();
                ch.register(selector, SelectionKey.OP_READ);
            } catch (IOException | RuntimeException e) {
                ch.close();
                if (selector != null) {
                    selector.close();
                    selector = null;
                }
                throw e;
            }
            channel = ch;
        }
    }

    private static ByteBuffer request(HttpMethod method, String path, String json) throws IOException {
        byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
        HttpFields.Mutable fields = HttpFields.build().put(HttpHeader.HOST, "localhost");
        if (json != null) {
            fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        }
        MetaData.Request info = new MetaData.Request(method.asString(), HttpURI.from(path), HttpVersion.HTTP_1_1, fields,
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

    private void write(ByteBuffer b) throws IOException {
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
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

    private Response read() throws IOException {
        Answer answer = new Answer();
        HttpParser parser = new HttpParser(answer);
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        in.clear().flip();
        while (!answer.complete) {
            if (!in.hasRemaining()) {
                in.clear();
                int n = channel.read(in);
                while (n == 0) {
                    selector.select(remainingMillis(deadline));
                    selector.selectedKeys().clear();
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
                throw new IOException("connection closed before the response was complete");
            }
        }
        if (parser.isClose() || in.hasRemaining()) {
            disconnect(); // the server will close it (or sent more than one answer): start afresh next time
        }
        return new Response(answer.status, answer.body.toString(StandardCharsets.UTF_8));
    }

    private static long remainingMillis(long deadline) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new IOException("no answer within " + TimeUnit.NANOSECONDS.toSeconds(TIMEOUT_NANOS) + " s");
        }
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(left));
    }

    /** What the parser reports of one response. */
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
            failure = "connection closed in the middle of the response";
        }

        @Override
        public void badMessage(HttpException e) {
            failure = "bad HTTP response: " + e.getReason();
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
    public void close() {
        disconnect();
    }
}
