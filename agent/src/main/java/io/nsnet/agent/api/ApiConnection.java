package io.nsnet.agent.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpGenerator;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.util.BufferUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection, served on its own thread with blocking reads and writes: read a request, parse it with
 * Jetty's {@link HttpParser}, answer it through the {@link ApiRouter}, encode the answer with Jetty's
 * {@link HttpGenerator}, and again for as long as the client keeps the connection. Only the I/O is ours, as in
 * the CLI's client ({@code cli.UnixHttp}); the HTTP grammar is Jetty's.
 *
 * <p>Why not Jetty's server, which served the API before: its selector thread wakes on the request, then hands
 * the selector to a parked thread before it runs the handler; on this kind of VM that wake-up and the colder
 * code cost a request 0.13–0.19 ms (a ping answered in 0.47 ms against 0.28 here, measured side by side, 20 ms
 * apart as the bench's requests are). The API's requests are few, short and mostly from one client at a time, and
 * its handlers block (kernel, fsync), which a selector is not for.
 *
 * <p>Stopping: {@link #stopWhenIdle} closes the connection at once if it waits for a request, else lets the
 * request in progress be answered (with {@code Connection: close}) and closes it then, so an acknowledged change
 * is never cut short. The server closes a connection whose read or write has waited longer than its idle
 * timeout (a client gone quiet mid-request, or one that keeps an unused connection): {@link #ioSince}.
 */
final class ApiConnection implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiConnection.class);
    /** Jetty's default request header limit (request line and header fields). */
    static final int MAX_HEADER_BYTES = 8192;

    private final SocketChannel channel;
    private final ApiRouter router;
    private final int maxBodyBytes;
    /** Bytes of request bodies all connections may hold at once; this one holds {@link #bodyHeld} of them. */
    private final Semaphore bodyBudget;
    private int bodyHeld;
    private final Consumer<ApiConnection> onClose;
    private final ByteBuffer in = BufferUtil.allocate(16 * 1024); // Jetty buffers start empty, in flush mode
    private final ByteBuffer header = BufferUtil.allocate(1024);
    private final HttpGenerator generator = new HttpGenerator();
    private final Incoming request = new Incoming();
    private final HttpParser parser = new HttpParser(request, MAX_HEADER_BYTES, HttpCompliance.RFC9110);

    /** When the pending read or write began (System.nanoTime), 0 while none is pending. */
    private volatile long ioSince;
    // Guarded by this: whether a request is being read or answered, and whether the server is stopping.
    private boolean busy;
    private boolean stopping;

    ApiConnection(SocketChannel channel, ApiRouter router, int maxBodyBytes, Semaphore bodyBudget,
            Consumer<ApiConnection> onClose) {
        this.channel = channel;
        this.router = router;
        this.maxBodyBytes = maxBodyBytes;
        this.bodyBudget = bodyBudget;
        this.onClose = onClose;
    }

    @Override
    public void run() {
        try {
            while (serveOne()) {
                // next request on the same connection
            }
        } catch (IOException e) {
            // The client went away or the server closed the channel (stop, idle timeout): nothing to answer.
            LOG.debug("API connection closed: {}", e.toString());
        } catch (RuntimeException | Error e) {
            LOG.error("API connection failed", e);
        } finally {
            releaseBody();
            close();
            onClose.accept(this);
        }
    }

    /** Reads one request and answers it; false when the connection is to be closed. */
    private boolean serveOne() throws IOException {
        releaseBody();
        request.clear();
        parser.reset();
        boolean begun = false;
        while (!request.complete && request.refusal == null) {
            if (!in.hasRemaining()) {
                if (!fill()) {
                    if (!begun || parser.isStart()) {
                        return false; // closed between requests: the normal end
                    }
                    parser.atEOF();
                    parser.parseNext(in);
                    return false; // closed mid-request: no one to answer
                }
            }
            if (!begun) {
                if (!begin()) {
                    return false;
                }
                begun = true;
            }
            parser.parseNext(in);
            if (request.earlyEof) {
                return false;
            }
        }
        Answer answer = request.refusal != null ? request.refusal : route();
        // After a refusal the rest of the request (if any) is unread: the connection cannot be reused.
        boolean keep = request.refusal == null && request.persistent();
        return send(answer, keep) && finish();
    }

    private Answer route() {
        HttpURI uri;
        try {
            uri = HttpURI.from(request.uri);
        } catch (IllegalArgumentException e) {
            return router.refusal(request.method, request.uri, 400, "invalid request target: " + request.uri);
        }
        String path = uri.getCanonicalPath();
        // Jetty's server refused these too (its default URI compliance): "%2F", "%2e%2e", "%00" and the like in
        // a path. Plain dot segments are resolved, as RFC 3986 says.
        if (path == null || uri.hasViolations()) {
            return router.refusal(request.method, request.uri, 400,
                    "ambiguous or invalid request path: " + request.uri);
        }
        return router.answer(request.method, path, request.body.toByteArray());
    }

    private void releaseBody() {
        if (bodyHeld > 0) {
            bodyBudget.release(bodyHeld);
            bodyHeld = 0;
        }
    }

    /** Marks the connection busy as a request starts; false if the server is stopping (the request is dropped). */
    private synchronized boolean begin() {
        if (stopping) {
            return false;
        }
        busy = true;
        return true;
    }

    /** Marks the connection idle once a request is answered; false if the server is stopping. */
    private synchronized boolean finish() {
        busy = false;
        return !stopping;
    }

    /** Closes the connection now if it waits for a request, else once the request in progress is answered. */
    synchronized void stopWhenIdle() {
        stopping = true;
        if (!busy) {
            close();
        }
    }

    /** When the pending read or write began (System.nanoTime), 0 if none is pending. */
    long ioSince() {
        return ioSince;
    }

    void close() {
        try {
            channel.close(); // a blocked read or write on the connection's thread ends with an exception
        } catch (IOException e) {
            LOG.debug("closing an API connection: {}", e.toString());
        }
    }

    /** Reads what the client sent; false at its end of stream. */
    private boolean fill() throws IOException {
        in.clear();
        ioSince = System.nanoTime();
        int n;
        try {
            n = channel.read(in);
        } finally {
            ioSince = 0;
            in.flip();
        }
        return n >= 0;
    }

    /** Sends an answer; false if the connection is to be closed after it. */
    private boolean send(Answer answer, boolean keep) throws IOException {
        boolean persistent;
        synchronized (this) {
            persistent = keep && !stopping;
        }
        HttpFields.Mutable fields = HttpFields.build();
        byte[] json = answer.json() == null ? new byte[0] : answer.json();
        if (answer.json() != null) {
            fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        }
        if (answer.allow() != null) {
            fields.put(HttpHeader.ALLOW, answer.allow());
        }
        if (!persistent) {
            fields.put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE);
        } else if (request.version == HttpVersion.HTTP_1_0) {
            fields.put(HttpHeader.CONNECTION, HttpHeaderValue.KEEP_ALIVE);
        }
        // The status line says HTTP/1.1 either way (the generator's, as the highest version served); the request's
        // version decides the connection header: an HTTP/1.0 client told nothing waits for the end of the stream.
        HttpVersion version = request.version == HttpVersion.HTTP_1_0 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
        MetaData.Response info = new MetaData.Response(answer.status(), null, version, fields, json.length);
        boolean head = "HEAD".equals(request.method);
        ByteBuffer content = head ? BufferUtil.EMPTY_BUFFER : ByteBuffer.wrap(json);
        generator.reset();
        BufferUtil.clear(header);
        while (true) {
            HttpGenerator.Result result = generator.generateResponse(info, head, header, null, content, true);
            switch (result) {
                case FLUSH -> write(header, content);
                case CONTINUE -> {
                    // the generator moves on
                }
                case SHUTDOWN_OUT, DONE -> {
                    return persistent && result == HttpGenerator.Result.DONE;
                }
                default -> throw new IOException("HTTP answer generation: unexpected " + result);
            }
        }
    }

    private void write(ByteBuffer... buffers) throws IOException {
        ioSince = System.nanoTime();
        try {
            // One or two buffers (header, content): written until both are empty.
            while (BufferUtil.hasContent(buffers[0]) || BufferUtil.hasContent(buffers[buffers.length - 1])) {
                channel.write(buffers); // blocking: returns once some is written; the rest is written next turn
            }
        } finally {
            ioSince = 0;
        }
    }

    /** "HTTP/1.1 100 Continue" before reading a body the client waits to send (curl does for large bodies). */
    private void sendContinue() {
        try {
            ByteBuffer interim = BufferUtil.allocate(64);
            HttpGenerator interimGenerator = new HttpGenerator();
            HttpGenerator.Result r = interimGenerator.generateResponse(HttpGenerator.CONTINUE_100_INFO, false, interim,
                    null, null, false);
            if (r == HttpGenerator.Result.FLUSH) {
                write(interim);
            }
        } catch (IOException e) {
            // The read that follows fails the same way, and ends the connection.
            LOG.debug("sending 100 Continue: {}", e.toString());
        }
    }

    /** What the parser reports of one request, and why it is refused before routing, if it is. */
    private final class Incoming implements HttpParser.RequestHandler {
        String method;
        String uri;
        HttpVersion version;
        boolean close;
        boolean keepAlive;
        boolean expectContinue;
        String unmetExpectation;
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean complete;
        boolean earlyEof;
        Answer refusal;

        void clear() {
            method = null;
            uri = null;
            version = null;
            close = false;
            keepAlive = false;
            expectContinue = false;
            unmetExpectation = null;
            // A large body's buffer is dropped, not kept for the connection's life outside the budget.
            body = body.size() > 8192 ? new ByteArrayOutputStream() : body;
            body.reset();
            complete = false;
            earlyEof = false;
            refusal = null;
        }

        /** HTTP/1.1 keeps the connection unless told to close; HTTP/1.0 closes it unless told to keep it. */
        boolean persistent() {
            return version == HttpVersion.HTTP_1_1 ? !close : keepAlive && !close;
        }

        @Override
        public void startRequest(String method, String uri, HttpVersion version) {
            this.method = method;
            this.uri = uri;
            this.version = version;
        }

        @Override
        public void parsedHeader(HttpField field) {
            if (field.getHeader() == HttpHeader.CONNECTION) {
                close |= field.contains(HttpHeaderValue.CLOSE.asString());
                keepAlive |= field.contains(HttpHeaderValue.KEEP_ALIVE.asString());
            } else if (field.getHeader() == HttpHeader.EXPECT) {
                for (String value : field.getValues()) {
                    if (value.equalsIgnoreCase(HttpHeaderValue.CONTINUE.asString())) {
                        expectContinue = true;
                    } else if (unmetExpectation == null) {
                        unmetExpectation = value;
                    }
                }
            }
        }

        @Override
        public boolean headerComplete() {
            long declared = parser.getContentLength();
            if (unmetExpectation != null) {
                // RFC 9110 10.1.1: the only expectation there is is 100-continue; one not met is refused.
                refusal = router.refusal(method, uri, 417, "unsupported expectation: " + unmetExpectation);
                return true;
            }
            if (declared > maxBodyBytes) {
                refusal = router.refusal(method, uri, 413, router.tooLargeMessage());
                return true;
            }
            if (expectContinue && version == HttpVersion.HTTP_1_1 && (declared > 0 || parser.isChunking())) {
                sendContinue();
            }
            return false;
        }

        @Override
        public boolean content(ByteBuffer chunk) {
            if (body.size() + chunk.remaining() > maxBodyBytes) {
                refusal = router.refusal(method, uri, 413, router.tooLargeMessage());
                chunk.position(chunk.limit());
                return true;
            }
            if (!bodyBudget.tryAcquire(chunk.remaining())) {
                refusal = router.refusal(method, uri, 503, "too many request bodies being received at once; "
                        + "try again");
                chunk.position(chunk.limit());
                return true;
            }
            bodyHeld += chunk.remaining();
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
            earlyEof = true;
        }

        @Override
        public void badMessage(HttpException failure) {
            int code = failure.getCode();
            String reason = failure.getReason();
            refusal = router.refusal(method, uri, code, "bad request: "
                    + (reason == null || reason.isBlank() ? HttpStatus.getMessage(code) : reason));
        }
    }
}
