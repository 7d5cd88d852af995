package io.nsnet.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's HTTP exchange against a scripted server on a Unix socket: what it sends and how it ends. */
@Timeout(30)
class UnixHttpTest {
    @TempDir
    Path dir;

    /** Accepts one connection, reads one request, answers each request with {@code answer}; returns what it read. */
    private CompletableFuture<String> serveOnce(ServerSocketChannel server, String answer, boolean closeAfter) {
        return CompletableFuture.supplyAsync(() -> {
            try (SocketChannel c = server.accept()) {
                ByteBuffer buf = ByteBuffer.allocate(4096);
                StringBuilder got = new StringBuilder();
                while (!got.toString().contains("\r\n\r\n") || !bodyComplete(got.toString())) {
                    buf.clear();
                    if (c.read(buf) < 0) {
                        break;
                    }
                    got.append(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8));
                }
                if (answer != null) {
                    c.write(ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8)));
                } else {
                    Thread.sleep(2000); // never answer
                }
                if (!closeAfter) {
                    Thread.sleep(200);
                }
                return got.toString();
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static boolean bodyComplete(String request) {
        int end = request.indexOf("\r\n\r\n");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: (\\d+)").matcher(request);
        return !m.find() || request.length() - end - 4 >= Integer.parseInt(m.group(1));
    }

    private ServerSocketChannel listen(String name) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(dir.resolve(name)));
        return s;
    }

    @Test
    void sendsJsonAndReadsTheAnswer() throws Exception {
        try (ServerSocketChannel server = listen("a.sock"); UnixHttp http = new UnixHttp(dir.resolve("a.sock"), "t/1")) {
            CompletableFuture<String> got = serveOnce(server, "HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 17\r\n\r\n{\"message\":\"no\"}\n", true);
            UnixHttp.Response r = http.exchange("POST", "/v1/networks", "{\"name\":\"x\"}".getBytes(StandardCharsets.UTF_8),
                    5000);
            assertThat(r.status()).isEqualTo(409);
            assertThat(r.ok()).isFalse();
            assertThat(r.text()).isEqualTo("{\"message\":\"no\"}\n");
            String request = got.get(5, TimeUnit.SECONDS);
            assertThat(request).startsWith("POST /v1/networks HTTP/1.1\r\n").contains("User-Agent: t/1\r\n")
                    .contains("Content-Type: application/json\r\n").endsWith("\r\n\r\n{\"name\":\"x\"}");
        }
    }

    @Test
    void aServerThatNeverAnswersIsATimeoutAndTheNextExchangeConnectsAgain() throws Exception {
        try (ServerSocketChannel server = listen("b.sock"); UnixHttp http = new UnixHttp(dir.resolve("b.sock"), "t/1")) {
            serveOnce(server, null, true);
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> http.exchange("GET", "/v1/info", null, 300)).isInstanceOf(SocketTimeoutException.class);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isBetween(250L, 1900L);
            // The timed-out connection was dropped: the next exchange is a new connection the server accepts.
            serveOnce(server, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true);
            assertThat(http.exchange("GET", "/v1/ping", null, 5000).text()).isEqualTo("ok");
        }
    }

    @Test
    void anAnswerCutShortIsAnError() throws Exception {
        try (ServerSocketChannel server = listen("c.sock"); UnixHttp http = new UnixHttp(dir.resolve("c.sock"), "t/1")) {
            serveOnce(server, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", true);
            assertThatThrownBy(() -> http.exchange("GET", "/v1/info", null, 5000)).isInstanceOf(IOException.class)
                    .hasMessageContaining("closed");
        }
    }

    @Test
    void nothingListeningIsAConnectError() {
        try (UnixHttp http = new UnixHttp(dir.resolve("none.sock"), "t/1")) {
            assertThatThrownBy(() -> http.exchange("GET", "/v1/info", null, 1000)).isInstanceOf(IOException.class);
        }
    }
}
