package io.nsnet.agent.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ApiServerTest {
    private static final int LIMIT = 4096;
    private final ObjectMapper mapper = new ObjectMapper();

    @TempDir
    Path dir;
    Path socket;
    FakeService service;
    ApiServer server;
    UnixHttp http;

    @BeforeEach
    void start() throws Exception {
        socket = dir.resolve("run/nsnet/api.sock");
        service = new FakeService();
        server = new ApiServer(new ApiServer.Limits(LIMIT, 32, 30_000, 2000));
        server.start(socket, service);
        http = new UnixHttp(socket);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        server.stop();
    }

    private String message(UnixHttp.Reply r) throws IOException {
        assertThat(r.contentType()).startsWith("application/json");
        JsonNode node = mapper.readTree(r.body());
        assertThat(node.size()).as("error body has only message: %s", r.body()).isEqualTo(1);
        return node.get("message").asText();
    }

    @Test
    void networkLifecycle() throws Exception {
        UnixHttp.Reply created = http.send("POST", "/v1/networks",
                "{\"name\":\"front\",\"subnet\":\"10.9.0.0/24\",\"icc\":false,\"mtu\":9000}");
        assertThat(created.status()).isEqualTo(201);
        JsonNode n = mapper.readTree(created.body());
        assertThat(n.get("name").asText()).isEqualTo("front");
        assertThat(n.get("subnet").asText()).isEqualTo("10.9.0.0/24");
        assertThat(n.get("icc").asBoolean()).isFalse();
        assertThat(n.get("mtu").asInt()).isEqualTo(9000);
        assertThat(service.calls).contains(
                new NetworkCreateRequest("front", "10.9.0.0/24", null, null, null, false, null, null, 9000));

        assertThat(http.send("GET", "/v1/networks/front", (String) null).status()).isEqualTo(200);
        UnixHttp.Reply list = http.send("GET", "/v1/networks", (String) null);
        assertThat(list.status()).isEqualTo(200);
        assertThat(mapper.readTree(list.body()).size()).isEqualTo(1);

        UnixHttp.Reply dup = http.send("POST", "/v1/networks", "{\"name\":\"front\"}");
        assertThat(dup.status()).isEqualTo(409);
        assertThat(message(dup)).isEqualTo("network front already exists");

        UnixHttp.Reply del = http.send("DELETE", "/v1/networks/front", (String) null);
        assertThat(del.status()).isEqualTo(204);
        assertThat(del.body()).isEmpty();
        UnixHttp.Reply again = http.send("DELETE", "/v1/networks/front", (String) null);
        assertThat(again.status()).isEqualTo(404);
        assertThat(message(again)).isEqualTo("network front not found");
    }

    @Test
    void sandboxLifecycleAndConnect() throws Exception {
        http.send("POST", "/v1/networks", "{\"name\":\"back\"}");
        UnixHttp.Reply created = http.send("POST", "/v1/sandboxes",
                "{\"name\":\"web\",\"networks\":[\"back\"],\"ports\":[\"8080:80/tcp\"]}");
        assertThat(created.status()).isEqualTo(201);
        assertThat(mapper.readTree(created.body()).get("netns").asText()).isEqualTo("nsnet-web");
        assertThat(service.calls).contains(new SandboxCreateRequest("web", List.of("back"), null,
                List.of("8080:80/tcp")));

        http.send("POST", "/v1/networks", "{\"name\":\"side\"}");
        UnixHttp.Reply conn = http.send("POST", "/v1/networks/side/connect",
                "{\"sandbox\":\"web\",\"ip\":\"172.19.0.5\"}");
        assertThat(conn.status()).isEqualTo(200);
        assertThat(mapper.readTree(conn.body()).get("endpoints").size()).isEqualTo(2);
        assertThat(service.calls).contains("connect:side:" + new ConnectRequest("web", "172.19.0.5"));

        UnixHttp.Reply disc = http.send("POST", "/v1/networks/side/disconnect", "{\"sandbox\":\"web\"}");
        assertThat(disc.status()).isEqualTo(200);
        assertThat(mapper.readTree(disc.body()).get("endpoints").size()).isEqualTo(1);

        assertThat(http.send("GET", "/v1/sandboxes", (String) null).status()).isEqualTo(200);
        assertThat(http.send("GET", "/v1/sandboxes/web", (String) null).status()).isEqualTo(200);
        assertThat(http.send("DELETE", "/v1/sandboxes/web", (String) null).status()).isEqualTo(204);
        assertThat(http.send("GET", "/v1/sandboxes/web", (String) null).status()).isEqualTo(404);
    }

    @Test
    void info() throws Exception {
        UnixHttp.Reply r = http.send("GET", "/v1/info", (String) null);
        assertThat(r.status()).isEqualTo(200);
        JsonNode n = mapper.readTree(r.body());
        assertThat(n.get("version").asText()).isEqualTo("0.1.0-test");
        assertThat(n.get("chainPrefix").asText()).isEqualTo("NSNET");
    }

    @Test
    void pingAnswersWithoutTheService() throws Exception {
        UnixHttp.Reply r = http.send("GET", "/v1/ping", (String) null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(mapper.readTree(r.body()).get("status").asText()).isEqualTo("ok");
        assertThat(http.send("POST", "/v1/ping", "{}").status()).isEqualTo(405);
        assertThat(service.calls).isEmpty();
    }

    @Test
    void unknownFieldIsNamed() throws Exception {
        UnixHttp.Reply r = http.send("POST", "/v1/networks", "{\"name\":\"a\",\"subnett\":\"10.0.0.0/8\"}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(message(r)).isEqualTo("unknown field \"subnett\" (known fields: bridgeName, gateway, icc, internal,"
                + " ipRange, masquerade, mtu, name, subnet)");
        assertThat(service.calls).isEmpty();
    }

    @Test
    void malformedJson() throws Exception {
        UnixHttp.Reply r = http.send("POST", "/v1/networks", "{\"name\": ");
        assertThat(r.status()).isEqualTo(400);
        assertThat(message(r)).startsWith("malformed JSON: ");

        UnixHttp.Reply trailing = http.send("POST", "/v1/sandboxes", "{\"name\":\"x\"} {}");
        assertThat(trailing.status()).isEqualTo(400);
        assertThat(message(trailing)).startsWith("malformed JSON: unexpected data after the JSON value");
    }

    @Test
    void wrongTypeNamesTheField() throws Exception {
        UnixHttp.Reply r = http.send("POST", "/v1/networks", "{\"name\":\"a\",\"mtu\":\"big\"}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(message(r)).startsWith("invalid value for field \"mtu\"");
        UnixHttp.Reply coerced = http.send("POST", "/v1/networks", "{\"name\":\"a\",\"mtu\":\"1500\"}");
        assertThat(coerced.status()).as("no silent string-to-number coercion").isEqualTo(400);
        UnixHttp.Reply arr = http.send("POST", "/v1/sandboxes", "[1,2]");
        assertThat(arr.status()).isEqualTo(400);
        assertThat(message(arr)).startsWith("invalid request body");
    }

    @Test
    void emptyOrNullBody() throws Exception {
        UnixHttp.Reply empty = http.send("POST", "/v1/networks", (String) null);
        assertThat(empty.status()).isEqualTo(400);
        assertThat(message(empty)).contains("request body required");
        UnixHttp.Reply nul = http.send("POST", "/v1/networks/x/connect", "null");
        assertThat(nul.status()).isEqualTo(400);
        assertThat(message(nul)).contains("not null");
    }

    @Test
    void bodyLimitWithContentLength() throws Exception {
        String big = "{\"name\":\"" + "x".repeat(LIMIT) + "\"}";
        UnixHttp.Reply r = http.send("POST", "/v1/networks", big);
        assertThat(r.status()).isEqualTo(413);
        assertThat(message(r)).contains("too large");
        assertThat(service.calls).isEmpty();
    }

    @Test
    void bodyLimitWhenChunked() throws Exception {
        // Raw, not through an HTTP client: the server answers 413 and closes while the body is still coming, so
        // the sender's writes may fail with EPIPE (a client library then reports that instead of the answer, as
        // Jetty's did now and then). The answer was sent before the close and is still there to read.
        byte[] chunk = "x".repeat(LIMIT).getBytes(StandardCharsets.US_ASCII);
        StringBuilder answer = new StringBuilder();
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            try {
                ch.write(ByteBuffer.wrap(("POST /v1/networks HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
                for (int i = 0; i < 4; i++) {
                    ch.write(ByteBuffer.wrap((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII)));
                    ch.write(ByteBuffer.wrap(chunk));
                    ch.write(ByteBuffer.wrap("\r\n".getBytes(StandardCharsets.US_ASCII)));
                }
                ch.write(ByteBuffer.wrap("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            } catch (IOException refusedMidBody) {
                // the server stopped reading: its answer decides
            }
            ByteBuffer buf = ByteBuffer.allocate(4096);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!answer.toString().contains("\r\n\r\n") && System.nanoTime() < deadline) {
                buf.clear();
                if (ch.read(buf) < 0) {
                    break;
                }
                answer.append(new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII));
            }
        }
        assertThat(answer.toString()).startsWith("HTTP/1.1 413 ");
        assertThat(service.calls).isEmpty();
    }

    @Test
    void bodyJustUnderLimitIsRead() throws Exception {
        String body = "{\"name\":\"" + "y".repeat(LIMIT - 20) + "\"}";
        assertThat(body.length()).isLessThanOrEqualTo(LIMIT);
        assertThat(http.send("POST", "/v1/networks", body).status()).isEqualTo(201);
    }

    @ParameterizedTest
    @CsvSource({
        "PUT, /v1/networks, 'GET, POST'",
        "DELETE, /v1/sandboxes, 'GET, POST'",
        "POST, /v1/networks/a, 'GET, DELETE'",
        "PATCH, /v1/sandboxes/a, 'GET, DELETE'",
        "GET, /v1/networks/a/connect, POST",
        "POST, /v1/info, GET",
    })
    void wrongMethodIs405(String method, String path, String allow) throws Exception {
        UnixHttp.Reply r = http.send(method, path, "{}");
        assertThat(r.status()).isEqualTo(405);
        assertThat(r.allow()).isEqualTo(allow);
        assertThat(message(r)).contains("not allowed");
    }

    @ParameterizedTest
    @CsvSource({"GET, /", "GET, /v1", "GET, /v2/networks", "GET, /v1/nope", "GET, /v1/networks/a/b",
        "POST, /v1/networks/a/attach", "GET, /v1/sandboxes/a/connect", "GET, /v1/networks/", "GET, /v1/info/x"})
    void unknownPathIs404(String method, String path) throws Exception {
        UnixHttp.Reply r = http.send(method, path, (String) null);
        assertThat(r.status()).isEqualTo(404);
        assertThat(message(r)).startsWith("no such endpoint");
    }

    @Test
    void unexpectedFailureIs500WithoutStackTrace() throws Exception {
        UnixHttp.Reply r = http.send("GET", "/v1/networks/boom", (String) null);
        assertThat(r.status()).isEqualTo(500);
        assertThat(message(r)).isEqualTo("internal error: kaboom");
        assertThat(r.body()).doesNotContain("at io.nsnet");
    }

    @Test
    void nullFromTheServiceIs500() throws Exception {
        UnixHttp.Reply r = http.send("GET", "/v1/networks/null", (String) null);
        assertThat(r.status()).isEqualTo(500);
        assertThat(message(r)).contains("no result");
    }

    @Test
    void illegalArgumentIs400() throws Exception {
        UnixHttp.Reply r = http.send("DELETE", "/v1/sandboxes/iae", (String) null);
        assertThat(r.status()).isEqualTo(400);
        assertThat(message(r)).isEqualTo("bad argument from the service");
    }

    @Test
    void validationFromServiceIs400() throws Exception {
        UnixHttp.Reply r = http.send("POST", "/v1/networks", "{}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(message(r)).isEqualTo("name: required");
    }

    @Test
    void garbageRequestGetsJsonError() throws Exception {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ch.write(ByteBuffer.wrap("NOT HTTP AT ALL\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer buf = ByteBuffer.allocate(4096);
            String text = "";
            while (ch.read(buf) > 0) {
                text = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII);
            }
            assertThat(text).startsWith("HTTP/1.1 400");
            assertThat(text).contains("\"message\"");
        }
    }

    @Test
    void socketFileIsMode0660AndRemovedOnStop() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-rw----");
        server.stop();
        assertThat(socket).doesNotExist();
        server.stop(); // idempotent
    }

    @Test
    void refusesWhileAnotherServerAnswers() {
        ApiServer second = new ApiServer();
        assertThatThrownBy(() -> second.start(socket, new FakeService()))
                .isInstanceOf(IOException.class).hasMessageContaining("already serving");
        assertThat(socket).exists();
    }

    @Test
    void replacesStaleSocketFile() throws Exception {
        Path stale = dir.resolve("stale.sock");
        // A bound but closed server socket leaves exactly what a killed daemon leaves: a socket file, no listener.
        try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(stale));
        }
        assertThat(stale).exists();
        try (ApiServer other = new ApiServer()) {
            other.start(stale, new FakeService());
            try (UnixHttp c = new UnixHttp(stale)) {
                assertThat(c.send("GET", "/v1/info", (String) null).status()).isEqualTo(200);
            }
        }
    }

    @Test
    void limitsMustBePositive() {
        assertThatThrownBy(() -> new ApiServer.Limits(0, 8, 30_000, 1000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
        assertThatThrownBy(() -> new ApiServer.Limits(4096, 0, 30_000, 1000))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ApiServer.Limits(4096, 8, 0, 1000))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesToReplaceARegularFile() throws Exception {
        Path file = dir.resolve("not-a-socket");
        Files.writeString(file, "keep me");
        assertThatThrownBy(() -> new ApiServer().start(file, new FakeService()))
                .isInstanceOf(IOException.class).hasMessageContaining("not a socket");
        assertThat(Files.readString(file)).isEqualTo("keep me");
    }

    @Test
    void manyClientsAtOnce() throws Exception {
        int clients = 16;
        int perClient = 25;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<List<Integer>>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int id = c;
                Callable<List<Integer>> task = () -> {
                    List<Integer> statuses = new ArrayList<>();
                    try (UnixHttp mine = new UnixHttp(socket)) {
                        for (int i = 0; i < perClient; i++) {
                            statuses.add(mine.send("POST", "/v1/networks",
                                    "{\"name\":\"n" + id + "-" + i + "\"}").status());
                            statuses.add(mine.send("GET", "/v1/networks", (String) null).status());
                        }
                    }
                    return statuses;
                };
                futures.add(pool.submit(task));
            }
            for (Future<List<Integer>> f : futures) {
                assertThat(f.get(60, TimeUnit.SECONDS)).containsOnly(201, 200).hasSize(perClient * 2);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(service.listNetworks()).hasSize(clients * perClient);
    }
}
