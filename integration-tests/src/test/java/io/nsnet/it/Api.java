package io.nsnet.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.io.Transport;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The daemon's HTTP/JSON API on its Unix socket, through Jetty's client (a real HTTP implementation: the tests
 * must not share a hand-written parser's blind spots with the server). Bodies are built as maps and read as
 * trees, so a test can send what the typed records cannot express (unknown fields, wrong types, junk).
 */
final class Api implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    /** One exchange: status and the body parsed as JSON (null if it was not JSON). */
    record Reply(String method, String path, int status, String raw, JsonNode json) {
        boolean ok() {
            return status / 100 == 2;
        }

        String message() {
            return json != null && json.has("message") ? json.get("message").asText() : raw;
        }

        /** Fails with the request and the daemon's answer unless it was 2xx. */
        Reply check() {
            if (!ok()) {
                throw new IllegalStateException(method + " " + path + " -> " + status + " " + raw);
            }
            return this;
        }
    }

    private final HttpClient client;
    private final Transport transport;
    private final Path socket;

    Api(Path socket) {
        this.socket = socket;
        // Jetty 12.1 picks the Unix socket per request (Transport.TCPUnix).
        this.transport = new Transport.TCPUnix(socket);
        this.client = new HttpClient(new HttpClientTransportOverHTTP());
        this.client.setMaxConnectionsPerDestination(64);
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the HTTP client", e);
        }
    }

    Path socket() {
        return socket;
    }

    Reply send(String method, String path, String body) {
        Request req = client.newRequest("http://localhost" + path).transport(transport).method(method)
                .timeout(30, TimeUnit.SECONDS);
        if (body != null) {
            req.body(new BytesRequestContent("application/json", body.getBytes(StandardCharsets.UTF_8)));
        }
        try {
            ContentResponse r = req.send();
            String raw = r.getContentAsString();
            JsonNode tree;
            try {
                tree = raw == null || raw.isEmpty() ? null : JSON.readTree(raw);
            } catch (JsonProcessingException e) {
                tree = null;
            }
            return new Reply(method, path, r.getStatus(), raw, tree);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(method + " " + path + ": interrupted", e);
        } catch (Exception e) {
            throw new ApiUnavailable(method + " " + path + ": " + e, e);
        }
    }

    /** The request did not get an HTTP answer (daemon down or killed mid-request). */
    static final class ApiUnavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ApiUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    Reply get(String path) {
        return send("GET", path, null);
    }

    Reply post(String path, Object body) {
        return send("POST", path, toJson(body));
    }

    Reply delete(String path) {
        return send("DELETE", path, null);
    }

    static String toJson(Object body) {
        try {
            return body instanceof String s ? s : JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    // The calls scenarios make most, failing loudly on any non-2xx.

    JsonNode info() {
        return get("/v1/info").check().json();
    }

    JsonNode createNetwork(Map<String, Object> body) {
        return post("/v1/networks", body).check().json();
    }

    JsonNode createNetwork(String name) {
        return createNetwork(Map.of("name", name));
    }

    JsonNode network(String name) {
        return get("/v1/networks/" + name).check().json();
    }

    JsonNode createSandbox(Map<String, Object> body) {
        return post("/v1/sandboxes", body).check().json();
    }

    JsonNode createSandbox(String name, String... networks) {
        return createSandbox(Map.of("name", name, "networks", List.of(networks)));
    }

    JsonNode sandbox(String name) {
        return get("/v1/sandboxes/" + name).check().json();
    }

    void deleteSandbox(String name) {
        delete("/v1/sandboxes/" + name).check();
    }

    void deleteNetwork(String name) {
        delete("/v1/networks/" + name).check();
    }

    JsonNode connect(String network, String sandbox) {
        return post("/v1/networks/" + network + "/connect", Map.of("sandbox", sandbox)).check().json();
    }

    JsonNode disconnect(String network, String sandbox) {
        return post("/v1/networks/" + network + "/disconnect", Map.of("sandbox", sandbox)).check().json();
    }

    List<String> networkNames() {
        return names(get("/v1/networks").check().json());
    }

    List<String> sandboxNames() {
        return names(get("/v1/sandboxes").check().json());
    }

    private static List<String> names(JsonNode array) {
        List<String> names = new ArrayList<>();
        array.forEach(n -> names.add(n.get("name").asText()));
        names.sort(null);
        return names;
    }

    /** The sandbox's address on its first endpoint, without the prefix length. */
    static String ip(JsonNode sandbox) {
        return ip(sandbox, 0);
    }

    static String ip(JsonNode sandbox, int endpoint) {
        String cidr = sandbox.get("endpoints").get(endpoint).get("ip").asText();
        return cidr.substring(0, cidr.indexOf('/'));
    }

    @Override
    public void close() {
        try {
            client.stop();
        } catch (Exception e) {
            // closing a client of a daemon that is gone: nothing left to release
        }
    }
}
