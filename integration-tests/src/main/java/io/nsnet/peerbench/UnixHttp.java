package io.nsnet.peerbench;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Transport;

/**
 * A JSON-over-HTTP client on a Unix socket (Jetty's client, as the CLI uses), for nsnetd's and dockerd's APIs.
 * One persistent connection is reused, so a timed call is one request/response, not a connect.
 */
final class UnixHttp implements AutoCloseable {
    record Response(int status, String body) {
        boolean ok() {
            return status / 100 == 2;
        }
    }

    private final HttpClient client;
    private final Transport transport;
    private final String base;

    UnixHttp(Path socket) {
        // Jetty 12.1 picks the Unix socket per request (Transport.TCPUnix); ClientConnector.forUnixDomain is gone.
        transport = new Transport.TCPUnix(socket);
        client = new HttpClient(new HttpClientTransportOverHTTP());
        client.setMaxConnectionsPerDestination(1);
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the HTTP client: " + e, e);
        }
        base = "http://localhost";
    }

    Response get(String path) {
        return send(client.newRequest(base + path).transport(transport).method(HttpMethod.GET));
    }

    Response post(String path, String json) {
        return send(client.newRequest(base + path).transport(transport).method(HttpMethod.POST)
                .body(new StringRequestContent("application/json", json)));
    }

    Response delete(String path) {
        return send(client.newRequest(base + path).transport(transport).method(HttpMethod.DELETE));
    }

    /** Like {@link #post} etc. but a non-2xx answer is an error naming the request. */
    String expectOk(String what, Response r) {
        if (!r.ok()) {
            throw new IllegalStateException(what + ": HTTP " + r.status() + " " + r.body());
        }
        return r.body();
    }

    private static Response send(Request request) {
        try {
            ContentResponse r = request.timeout(120, TimeUnit.SECONDS).send();
            return new Response(r.getStatus(), r.getContentAsString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (Exception e) {
            throw new IllegalStateException(request.getMethod() + " " + request.getPath() + ": " + e, e);
        }
    }

    @Override
    public void close() {
        try {
            client.stop();
        } catch (Exception e) {
            // closing at exit; nothing to do
        }
    }
}
