package io.nsnet.agent.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.nsnet.agent.model.NsnetException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps {@code /v1/...} onto {@link NsnetService}: one request in (method, decoded path, body bytes), one answer
 * out (status, JSON body). It knows nothing of the transport; {@link ApiConnection} reads and writes HTTP around
 * it. Eleven routes do not need a framework. Called on the connection's own thread, and may block, as the
 * service does while it talks to the kernel and the store.
 */
final class ApiRouter {
    private static final Logger LOG = LoggerFactory.getLogger(ApiRouter.class);
    private static final Map<String, String> PING = Map.of("status", "ok");

    private final NsnetService service;
    private final ObjectMapper json;
    private final int maxBodyBytes;

    ApiRouter(NsnetService service, ObjectMapper json, int maxBodyBytes) {
        this.service = service;
        this.json = json;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** What a route produced: a status and a body to serialize (null for none). */
    private record Reply(int status, Object body) {
        // A null from the service is a daemon bug: fail it as a 500 here rather than answer 200 with no body.
        static Reply ok(Object body) {
            return new Reply(200, Objects.requireNonNull(body, "the service returned no result"));
        }

        static Reply created(Object body) {
            return new Reply(201, Objects.requireNonNull(body, "the service returned no result"));
        }

        static Reply noContent() {
            return new Reply(204, null);
        }
    }

    /**
     * Answers one request. Never throws: the caller's mistakes become 4xx with a message naming what was wrong,
     * anything else a 500 (logged with its stack trace here, never sent).
     *
     * @param path the request's decoded path, without its query
     * @param body the request's body, empty if it had none
     */
    Answer answer(String method, String path, byte[] body) {
        Reply reply;
        String allow = null;
        try {
            reply = route(method, path, body);
            LOG.debug("{} {} -> {}", method, path, reply.status());
        } catch (HttpProblem e) {
            reply = userError(method, path, e.status(), e.getMessage());
            allow = e.allow();
        } catch (NsnetException e) {
            reply = userError(method, path, e.httpStatus(), e.getMessage());
        } catch (IllegalArgumentException e) {
            reply = userError(method, path, 400, e.getMessage());
        } catch (Exception | Error e) {
            // Only here is a stack trace useful: this is a bug or a host failure, not the caller's mistake.
            LOG.error("{} {} -> 500", method, path, e);
            reply = new Reply(500, new ApiError("internal error: " + describe(e)));
        }
        return toAnswer(reply, allow);
    }

    /**
     * An answer for a request refused before it reached a route (unparsable, headers too large, body over the
     * limit, an ambiguous path): the same {@code {"message": …}} body as the routes' errors, logged as they are.
     *
     * @param method the request's method, or null if it was not parsed that far
     * @param target the request's target as sent, or null if it was not parsed that far
     */
    Answer refusal(String method, String target, int status, String message) {
        return toAnswer(userError(method == null ? "-" : method, target == null ? "-" : target, status, message),
                null);
    }

    /** The limit's message, for a body refused by its declared length before it is read. */
    String tooLargeMessage() {
        return tooLarge().getMessage();
    }

    private static Reply userError(String method, String path, int status, String message) {
        String text = message == null || message.isBlank() ? "request failed" : message;
        // One line, no stack trace: the user needs the message, the operator needs to see the refusal.
        LOG.info("{} {} -> {}: {}", method, path, status, text);
        return new Reply(status, new ApiError(text));
    }

    private static String describe(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private Reply route(String method, String path, byte[] body) {
        List<String> seg = segments(path);
        if (seg.size() >= 2 && seg.get(0).equals("v1") && !seg.contains("")) {
            String collection = seg.get(1);
            if (collection.equals("info") && seg.size() == 2) {
                allow(method, "GET");
                return Reply.ok(service.info());
            }
            if (collection.equals("ping") && seg.size() == 2) {
                // Liveness without touching the service (clients warm their connection with it; not logged).
                allow(method, "GET");
                return Reply.ok(PING);
            }
            if (collection.equals("networks")) {
                Reply r = networks(method, seg, body);
                if (r != null) {
                    return r;
                }
            }
            if (collection.equals("sandboxes")) {
                Reply r = sandboxes(method, seg, body);
                if (r != null) {
                    return r;
                }
            }
        }
        throw new HttpProblem(404, "no such endpoint: " + path);
    }

    private Reply networks(String method, List<String> seg, byte[] body) {
        if (seg.size() == 2) {
            allow(method, "GET, POST");
            if (method.equals("GET")) {
                return Reply.ok(service.listNetworks());
            }
            return Reply.created(service.createNetwork(readBody(body, NetworkCreateRequest.class)));
        }
        String name = seg.get(2);
        if (seg.size() == 3) {
            allow(method, "GET, DELETE");
            if (method.equals("GET")) {
                return Reply.ok(service.inspectNetwork(name));
            }
            service.deleteNetwork(name);
            return Reply.noContent();
        }
        if (seg.size() == 4 && (seg.get(3).equals("connect") || seg.get(3).equals("disconnect"))) {
            allow(method, "POST");
            ConnectRequest request = readBody(body, ConnectRequest.class);
            return Reply.ok(seg.get(3).equals("connect")
                    ? service.connect(name, request)
                    : service.disconnect(name, request));
        }
        return null;
    }

    private Reply sandboxes(String method, List<String> seg, byte[] body) {
        if (seg.size() == 2) {
            allow(method, "GET, POST");
            if (method.equals("GET")) {
                return Reply.ok(service.listSandboxes());
            }
            return Reply.created(service.createSandbox(readBody(body, SandboxCreateRequest.class)));
        }
        if (seg.size() == 3) {
            allow(method, "GET, DELETE");
            String name = seg.get(2);
            if (method.equals("GET")) {
                return Reply.ok(service.inspectSandbox(name));
            }
            service.deleteSandbox(name);
            return Reply.noContent();
        }
        return null;
    }

    private static void allow(String method, String allowed) {
        for (String m : allowed.split(", ")) {
            if (m.equals(method)) {
                return;
            }
        }
        throw new HttpProblem(405, "method " + method + " not allowed here; allowed: " + allowed, allowed);
    }

    /** "/v1/networks/a" → [v1, networks, a]; an empty segment ("//", trailing "/") never matches a route. */
    static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        if (path == null || !path.startsWith("/")) {
            return out;
        }
        int start = 1;
        while (true) {
            int slash = path.indexOf('/', start);
            if (slash < 0) {
                out.add(path.substring(start));
                return out;
            }
            out.add(path.substring(start, slash));
            start = slash + 1;
        }
    }

    private <T> T readBody(byte[] bytes, Class<T> type) {
        // The connection refuses a longer body before reading it; checked again so the rule lives here too.
        if (bytes.length > maxBodyBytes) {
            throw tooLarge();
        }
        if (bytes.length == 0) {
            throw new HttpProblem(400, "request body required: a JSON object");
        }
        T value;
        try {
            value = json.readValue(bytes, type);
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? ""
                    : " (known fields: " + e.getKnownPropertyIds().stream().map(String::valueOf).sorted()
                            .collect(Collectors.joining(", ")) + ")";
            throw new HttpProblem(400, "unknown field \"" + fieldPath(e) + "\"" + known);
        } catch (MismatchedInputException e) {
            if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Trailing token")) {
                throw new HttpProblem(400, "malformed JSON: unexpected data after the JSON value"
                        + at(e.getLocation()));
            }
            String field = fieldPath(e);
            throw new HttpProblem(400, field.isEmpty()
                    ? "invalid request body: " + e.getOriginalMessage()
                    : "invalid value for field \"" + field + "\": " + e.getOriginalMessage());
        } catch (StreamReadException e) {
            throw new HttpProblem(400, "malformed JSON: " + e.getOriginalMessage() + at(e.getLocation()));
        } catch (JacksonException e) {
            throw new HttpProblem(400, "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new HttpProblem(400, "malformed JSON: " + describe(e));
        }
        if (value == null) {
            throw new HttpProblem(400, "request body must be a JSON object, not null");
        }
        return value;
    }

    private HttpProblem tooLarge() {
        return new HttpProblem(413, "request body too large: the limit is " + maxBodyBytes + " bytes");
    }

    private static String at(JsonLocation location) {
        return location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    /** "networks[1]" style path of the offending field, or "" for the body as a whole. */
    private static String fieldPath(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    /** The reply with its JSON and a trailing newline (so `curl --unix-socket` output ends cleanly). */
    private Answer toAnswer(Reply reply, String allow) {
        if (reply.body() == null) {
            return new Answer(reply.status(), allow, null);
        }
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(reply.body());
        } catch (IOException e) {
            LOG.error("cannot serialize the response", e);
            return new Answer(500, null, "{\"message\":\"internal error: cannot serialize the response\"}\n"
                    .getBytes(StandardCharsets.UTF_8));
        }
        byte[] out = Arrays.copyOf(bytes, bytes.length + 1);
        out[bytes.length] = '\n';
        return new Answer(reply.status(), allow, out);
    }
}
