package io.nsnet.agent.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API's connection handling, byte for byte on a raw socket: what HTTP/1.1 clients rely on (keep-alive,
 * pipelining, {@code Connection: close}, {@code Expect: 100-continue}, HEAD) and what protects the daemon (idle
 * and slow clients closed, a connection cap that queues instead of refusing, stop closing idle connections at
 * once). Request semantics are in {@link ApiServerTest}.
 */
class ApiConnectionTest {
    private static final String PING = "GET /v1/ping HTTP/1.1\r\nHost: localhost\r\n\r\n";

    @TempDir
    Path dir;
    Path socket;
    ApiServer server;
    FakeService service = new FakeService();
    final List<SocketChannel> opened = new ArrayList<>();

    private void start(ApiServer.Limits limits) throws IOException {
        socket = dir.resolve("api.sock");
        server = new ApiServer(limits);
        server.start(socket, service);
    }

    private void start() throws IOException {
        start(new ApiServer.Limits(4096, 8, 30_000, 5_000));
    }

    @AfterEach
    void stop() throws IOException {
        for (SocketChannel ch : opened) {
            ch.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    private SocketChannel connect() throws IOException {
        SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        opened.add(ch);
        return ch;
    }

    private static void send(SocketChannel ch, String text) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Everything the server sends until it closes the connection (or 20 s pass). */
    private static String readToEnd(SocketChannel ch) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            StringBuilder out = new StringBuilder();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            try {
                while (ch.read(buf.clear()) >= 0) {
                    out.append(new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII));
                }
            } catch (IOException e) {
                // closed by the test: what came so far
            }
            return out.toString();
        }).get(20, TimeUnit.SECONDS);
    }

    /** Reads until {@code count} complete answers (headers and Content-Length body) have arrived. */
    private static String readAnswers(SocketChannel ch, int count) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            StringBuilder out = new StringBuilder();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            try {
                while (complete(out.toString()) < count && ch.read(buf.clear()) >= 0) {
                    out.append(new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII));
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return out.toString();
        }).get(20, TimeUnit.SECONDS);
    }

    private static int complete(String text) {
        int n = 0;
        int at = 0;
        Matcher m = Pattern.compile("(?i)content-length: (\\d+)\r\n").matcher(text);
        while (true) {
            int end = text.indexOf("\r\n\r\n", at);
            if (end < 0) {
                return n;
            }
            int length = m.find(at) && m.start() < end ? Integer.parseInt(m.group(1)) : 0;
            if (text.length() < end + 4 + length) {
                return n;
            }
            n++;
            at = end + 4 + length;
        }
    }

    @Test
    void oneConnectionServesManyRequests() throws Exception {
        start();
        SocketChannel ch = connect();
        for (int i = 0; i < 3; i++) {
            send(ch, PING);
            assertThat(readAnswers(ch, 1)).startsWith("HTTP/1.1 200 ").contains("{\"status\":\"ok\"}");
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        start();
        SocketChannel ch = connect();
        send(ch, "POST /v1/networks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 14\r\n\r\n"
                + "{\"name\":\"one\"}" + "GET /v1/networks/one HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /v1/networks/two HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        String text = readToEnd(ch);
        assertThat(text.indexOf("HTTP/1.1 201 ")).isZero();
        assertThat(text.indexOf("HTTP/1.1 200 ")).isPositive();
        assertThat(text.indexOf("HTTP/1.1 404 ")).isGreaterThan(text.indexOf("HTTP/1.1 200 "));
        assertThat(text).containsIgnoringCase("connection: close");
    }

    @Test
    void connectionCloseAndHttp10EndTheConnectionAfterTheAnswer() throws Exception {
        start();
        SocketChannel closing = connect();
        send(closing, "GET /v1/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(readToEnd(closing)).startsWith("HTTP/1.1 200 ").containsIgnoringCase("connection: close");
        SocketChannel old = connect();
        send(old, "GET /v1/ping HTTP/1.0\r\n\r\n");
        assertThat(readToEnd(old)).startsWith("HTTP/1.1 200 ").contains("{\"status\":\"ok\"}");
    }

    @Test
    void anHttp10ClientAskingForKeepAliveIsToldAndKept() throws Exception {
        start();
        SocketChannel ch = connect();
        send(ch, "GET /v1/ping HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        assertThat(readAnswers(ch, 1)).startsWith("HTTP/1.1 200 ").containsIgnoringCase("connection: keep-alive");
        send(ch, "GET /v1/ping HTTP/1.0\r\n\r\n");
        assertThat(readToEnd(ch)).startsWith("HTTP/1.1 200 ").contains("{\"status\":\"ok\"}");
    }

    @Test
    void expectContinueGetsAnInterimAnswerBeforeTheBody() throws Exception {
        start();
        SocketChannel ch = connect();
        send(ch, "POST /v1/networks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 15\r\n"
                + "Expect: 100-continue\r\n\r\n");
        assertThat(readAnswers(ch, 1)).startsWith("HTTP/1.1 100 Continue\r\n");
        assertThat(service.calls).isEmpty();
        send(ch, "{\"name\":\"cont\"}");
        assertThat(readAnswers(ch, 1)).startsWith("HTTP/1.1 201 ");
        assertThat(service.calls).hasSize(1);
    }

    @Test
    void anExpectationOtherThanContinueIsRefused() throws Exception {
        start();
        SocketChannel ch = connect();
        send(ch, "POST /v1/networks HTTP/1.1\r\nHost: x\r\nContent-Length: 14\r\nExpect: teapot\r\n\r\n");
        assertThat(readToEnd(ch)).startsWith("HTTP/1.1 417 ").contains("unsupported expectation: teapot");
        assertThat(service.calls).isEmpty();
    }

    @Test
    void aBodyDeclaredTooLargeIsRefusedWithoutAContinue() throws Exception {
        start();
        SocketChannel ch = connect();
        send(ch, "POST /v1/networks HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n");
        String text = readToEnd(ch); // refused and closed: the body was never read
        assertThat(text).startsWith("HTTP/1.1 413 ").doesNotContain("100 Continue").contains("\"message\"");
        assertThat(service.calls).isEmpty();
    }

    @Test
    void headGetsHeadersWithoutABody() throws Exception {
        start();
        SocketChannel ch = connect();
        send(ch, "HEAD /v1/networks HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        String text = readToEnd(ch);
        // The 405's headers, Content-Length included, and nothing after them.
        assertThat(text).startsWith("HTTP/1.1 405 ").containsIgnoringCase("allow: GET, POST")
                .containsIgnoringCase("content-length: ").endsWith("\r\n\r\n");
    }

    @Test
    void anAmbiguousPathIsRefused() throws Exception {
        start();
        SocketChannel ch = connect();
        send(ch, "GET /v1/networks/a%2Fb HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(readAnswers(ch, 1)).startsWith("HTTP/1.1 400 ").contains("ambiguous or invalid request path");
        send(ch, "GET /v1/%2e%2e/v1/ping HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(readAnswers(ch, 1)).startsWith("HTTP/1.1 400 ");
        // Plain dot segments are removed as RFC 3986 says (and as Jetty's server did).
        send(ch, "GET /v1/networks/../ping HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(readAnswers(ch, 1)).startsWith("HTTP/1.1 200 ");
        assertThat(service.calls).isEmpty();
    }

    @Test
    void headersOverTheLimitAreRefused() throws Exception {
        start();
        SocketChannel ch = connect();
        send(ch, "GET /v1/ping HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(ApiConnection.MAX_HEADER_BYTES)
                + "\r\n\r\n");
        assertThat(readToEnd(ch)).startsWith("HTTP/1.1 431 ").contains("\"message\"");
    }

    @Test
    void aClientSilentMidRequestIsClosedAfterTheIdleTimeout() throws Exception {
        start(new ApiServer.Limits(4096, 8, 300, 5_000));
        SocketChannel quiet = connect();
        SocketChannel slow = connect();
        send(slow, "POST /v1/networks HTTP/1.1\r\nHost: x\r\nContent-Length: 14\r\n\r\n{\"na");
        long t0 = System.nanoTime();
        assertThat(readToEnd(quiet)).isEmpty();
        assertThat(readToEnd(slow)).isEmpty();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(10_000);
        assertThat(service.calls).isEmpty();
        // Its slot is free again.
        SocketChannel next = connect();
        send(next, PING);
        assertThat(readAnswers(next, 1)).startsWith("HTTP/1.1 200 ");
    }

    @Test
    void connectionsOverTheCapWaitForASlot() throws Exception {
        start(new ApiServer.Limits(4096, 2, 30_000, 5_000));
        SocketChannel a = connect();
        SocketChannel b = connect();
        send(a, PING);
        send(b, PING);
        assertThat(readAnswers(a, 1)).startsWith("HTTP/1.1 200 ");
        assertThat(readAnswers(b, 1)).startsWith("HTTP/1.1 200 ");
        SocketChannel third = connect(); // queued in the backlog: connected, not yet served
        send(third, PING);
        CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> {
            try {
                return readAnswers(third, 1);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(300);
        assertThat(answer).isNotDone();
        a.close();
        assertThat(answer.get(10, TimeUnit.SECONDS)).startsWith("HTTP/1.1 200 ");
    }

    @Test
    void bodiesBeingReceivedTogetherHaveABudget() throws Exception {
        // 1000-byte bodies, 16 000 bytes in flight at most: sixteen half-sent bodies fill it, a seventeenth is
        // refused, and once the sixteen are answered there is room again.
        start(new ApiServer.Limits(1000, 32, 30_000, 5_000));
        String head = "POST /v1/networks HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n";
        String part = "{\"name\":\"n\"" + " ".repeat(980);
        List<SocketChannel> holding = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            SocketChannel ch = connect();
            send(ch, head + part);
            holding.add(ch);
        }
        Thread.sleep(300); // the server has read them
        SocketChannel late = connect();
        send(late, head + part);
        String refused = readToEnd(late);
        assertThat(refused).startsWith("HTTP/1.1 503 ").contains("too many request bodies");
        String rest = " ".repeat(1000 - part.length() - 1) + "}";
        for (int i = 0; i < holding.size(); i++) {
            send(holding.get(i), rest);
            // The first creates "n", the others conflict with it: either way answered, not refused.
            assertThat(readAnswers(holding.get(i), 1)).as("body %d", i).matches("(?s)HTTP/1\\.1 (201|409) .*");
        }
        SocketChannel again = connect();
        send(again, head + part + rest);
        assertThat(readAnswers(again, 1)).startsWith("HTTP/1.1 409 ");
    }

    @Test
    void stopClosesIdleConnectionsAtOnceAndRefusesNewOnes() throws Exception {
        start(new ApiServer.Limits(4096, 8, 30_000, 20_000));
        SocketChannel idle = connect();
        send(idle, PING);
        assertThat(readAnswers(idle, 1)).startsWith("HTTP/1.1 200 ");
        long t0 = System.nanoTime();
        server.stop();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(5_000);
        assertThat(readToEnd(idle)).isEmpty();
        assertThatThrownBy(this::connect).isInstanceOf(IOException.class);
        assertThat(service.calls).isEmpty();
    }
}
