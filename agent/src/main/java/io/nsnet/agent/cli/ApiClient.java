package io.nsnet.agent.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nsnet.agent.api.ConnectRequest;
import io.nsnet.agent.api.InfoView;
import io.nsnet.agent.api.Json;
import io.nsnet.agent.api.NetworkCreateRequest;
import io.nsnet.agent.api.NetworkView;
import io.nsnet.agent.api.NsnetService;
import io.nsnet.agent.api.SandboxCreateRequest;
import io.nsnet.agent.api.SandboxView;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * nsnetd's API seen from a client, over its Unix socket ({@link UnixHttp}): the same {@link NsnetService}
 * the daemon implements, plus raw JSON for {@code --json}. Errors come back as {@link ApiException} (the
 * daemon's status and message) or {@link CliException} (the daemon could not be reached).
 */
public final class ApiClient implements NsnetService, AutoCloseable {
    /** Long enough for a mutation queued behind others; a hung daemon still ends in an error, not a hang. */
    private static final long TIMEOUT_SECONDS = 120;
    private static final long PING_TIMEOUT_SECONDS = 5;

    private final Path socket;
    private final UnixHttp http;
    /** A future so a prewarmed mapper can still be in the making while the HTTP side starts (ClientPrewarm). */
    private final CompletableFuture<ObjectMapper> mapper;

    private ApiClient(Path socket, CompletableFuture<ObjectMapper> mapper) {
        this.socket = socket;
        this.http = new UnixHttp(socket, "nsnet-cli");
        this.mapper = mapper;
    }

    /**
     * Fills a mapper's deserializer caches for the view types (ClientPrewarm runs this on a spare thread).
     * Failures are ignored: this is only an optimisation.
     */
    static ObjectMapper warmMapper(ObjectMapper m) {
        try {
            m.readValue(PREWARM_JSON, m.getTypeFactory().constructType(new TypeReference<List<NetworkView>>() { }));
            m.readValue("[]", m.getTypeFactory().constructType(new TypeReference<List<SandboxView>>() { }));
            m.readValue("{}", SandboxView.class);
            m.readValue("{}", InfoView.class);
            m.readTree("{}");
        } catch (IOException e) {
            // Only an optimisation.
        }
        return m;
    }

    /**
     * {@code GET /v1/ping}, answers ignored: run early on a spare thread it opens the connection the command's
     * own request then reuses (keep-alive) and loads the request and response code. Like the docker CLI's
     * {@code /_ping}.
     */
    void ping() {
        try {
            // Short timeout: a daemon too busy to answer a ping soon gets the command's own request anyway.
            send("GET", "/v1/ping", null, PING_TIMEOUT_SECONDS);
        } catch (CliException e) {
            // The command's own request reports whatever is wrong.
        }
    }

    private static final String PREWARM_JSON = "[{\"name\":\"n\",\"id\":\"0\",\"internal\":false,\"mtu\":1500,"
            + "\"sandboxes\":[{\"name\":\"s\",\"ip\":\"10.0.0.2/24\"}]}]";

    /**
     * Checks the socket first, so the commonest failures (daemon not running, no permission) get a precise
     * message.
     */
    public static ApiClient open(Path socket) {
        return open(socket, CompletableFuture.completedFuture(Json.lenient()));
    }

    /** As {@link #open(Path)}, with the response mapper supplied (it must be {@link Json#lenient()}'s kind). */
    static ApiClient open(Path socket, CompletableFuture<ObjectMapper> mapper) {
        if (!Files.exists(socket)) {
            throw unreachable(socket, "no such file (is nsnetd running?)");
        }
        if (!Files.isWritable(socket)) {
            throw unreachable(socket, "permission denied (run as root or as a member of the socket's group)");
        }
        return new ApiClient(socket, mapper);
    }

    private static CliException unreachable(Path socket, String why) {
        return new CliException("cannot reach nsnetd at " + socket + ": " + why);
    }

    static String segment(String name) {
        return URLEncoder.encode(name == null ? "" : name, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The response body as a JSON tree, for printing exactly what the API said. */
    public JsonNode getJson(String path) {
        return parse(send("GET", path, null), json().getTypeFactory().constructType(JsonNode.class));
    }

    @Override
    public NetworkView createNetwork(NetworkCreateRequest request) {
        return call("POST", "/v1/networks", request, NetworkView.class);
    }

    @Override
    public void deleteNetwork(String name) {
        send("DELETE", "/v1/networks/" + segment(name), null);
    }

    @Override
    public List<NetworkView> listNetworks() {
        return parse(send("GET", "/v1/networks", null), type(new TypeReference<List<NetworkView>>() { }));
    }

    @Override
    public NetworkView inspectNetwork(String name) {
        return call("GET", "/v1/networks/" + segment(name), null, NetworkView.class);
    }

    @Override
    public SandboxView connect(String network, ConnectRequest request) {
        return call("POST", "/v1/networks/" + segment(network) + "/connect", request, SandboxView.class);
    }

    @Override
    public SandboxView disconnect(String network, ConnectRequest request) {
        return call("POST", "/v1/networks/" + segment(network) + "/disconnect", request, SandboxView.class);
    }

    @Override
    public SandboxView createSandbox(SandboxCreateRequest request) {
        return call("POST", "/v1/sandboxes", request, SandboxView.class);
    }

    @Override
    public void deleteSandbox(String name) {
        send("DELETE", "/v1/sandboxes/" + segment(name), null);
    }

    @Override
    public List<SandboxView> listSandboxes() {
        return parse(send("GET", "/v1/sandboxes", null), type(new TypeReference<List<SandboxView>>() { }));
    }

    @Override
    public SandboxView inspectSandbox(String name) {
        return call("GET", "/v1/sandboxes/" + segment(name), null, SandboxView.class);
    }

    @Override
    public InfoView info() {
        return call("GET", "/v1/info", null, InfoView.class);
    }

    private ObjectMapper json() {
        return mapper.join();
    }

    private JavaType type(TypeReference<?> ref) {
        return json().getTypeFactory().constructType(ref);
    }

    private <T> T call(String method, String path, Object body, Class<T> type) {
        return parse(send(method, path, body), json().getTypeFactory().constructType(type));
    }

    private <T> T parse(byte[] body, JavaType type) {
        try {
            return json().readValue(body, type);
        } catch (JacksonException e) {
            throw new CliException("unexpected answer from nsnetd at " + socket + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new CliException("unexpected answer from nsnetd at " + socket + ": " + e.getMessage());
        }
    }

    private byte[] send(String method, String path, Object body) {
        return send(method, path, body, TIMEOUT_SECONDS);
    }

    /** Sends one request; returns the body of a 2xx answer, throws {@link ApiException} for any other. */
    private byte[] send(String method, String path, Object body, long timeoutSeconds) {
        byte[] json = null;
        if (body != null) {
            try {
                json = json().writeValueAsBytes(body);
            } catch (IOException e) {
                throw new CliException("cannot encode the request: " + e.getMessage());
            }
        }
        UnixHttp.Response response;
        try {
            response = http.exchange(method, path, json, TimeUnit.SECONDS.toMillis(timeoutSeconds));
        } catch (SocketTimeoutException e) {
            throw new CliException("nsnetd at " + socket + " did not answer within " + timeoutSeconds + " s");
        } catch (InterruptedIOException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        } catch (IOException e) {
            throw unreachable(socket, e.getMessage() == null ? e.toString() : e.getMessage());
        }
        if (response.ok()) {
            return response.body();
        }
        throw new ApiException(response.status(), errorMessage(response.status(), response.body()));
    }

    private String errorMessage(int status, byte[] body) {
        try {
            JsonNode node = json().readTree(body);
            if (node != null && node.hasNonNull("message")) {
                return node.get("message").asText();
            }
        } catch (IOException e) {
            // Not our JSON (a proxy, a different server on the socket): fall through to the status.
        }
        return "nsnetd answered HTTP " + status;
    }

    @Override
    public void close() {
        http.close();
    }
}
