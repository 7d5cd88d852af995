package io.nsnet.agent.api;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.io.Transport;

/** A bare HTTP client on a Unix socket for tests that check raw statuses, headers and bodies. */
public final class UnixHttp implements AutoCloseable {
    public record Reply(int status, String body, String allow, String contentType) {
    }

    private final HttpClient client;
    private final Transport transport;

    public UnixHttp(Path socket) throws Exception {
        // Jetty 12.1 selects the Unix socket per request (Transport.TCPUnix); ClientConnector.forUnixDomain is gone.
        transport = new Transport.TCPUnix(socket);
        client = new HttpClient(new HttpClientTransportOverHTTP());
        client.start();
    }

    public Reply send(String method, String path, String body) throws Exception {
        return send(method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    public Reply send(String method, String path, byte[] body) throws Exception {
        Request req = client.newRequest("http://localhost" + path).transport(transport).method(method).timeout(20, TimeUnit.SECONDS);
        if (body != null) {
            req.body(new BytesRequestContent("application/json", body));
        }
        ContentResponse r = req.send();
        return new Reply(r.getStatus(), r.getContentAsString(), r.getHeaders().get("Allow"),
                r.getHeaders().get("Content-Type"));
    }

    @Override
    public void close() throws Exception {
        client.stop();
    }
}
