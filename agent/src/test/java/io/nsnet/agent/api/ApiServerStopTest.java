package io.nsnet.agent.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** stop() lets a request in flight finish: an acknowledged change must not be cut off by SIGTERM. */
class ApiServerStopTest {
    @TempDir
    Path dir;

    /** createNetwork blocks until released, like a slow kernel operation. */
    private static final class SlowService implements NsnetService {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public NetworkView createNetwork(NetworkCreateRequest r) {
            entered.countDown();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new NetworkView(r.name(), "id", "br", "10.0.0.0/24", "10.0.0.1", null, false, true, true, 1500,
                    false, "t", List.of());
        }

        @Override
        public void deleteNetwork(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<NetworkView> listNetworks() {
            return List.of();
        }

        @Override
        public NetworkView inspectNetwork(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public SandboxView connect(String network, ConnectRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public SandboxView disconnect(String network, ConnectRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public SandboxView createSandbox(SandboxCreateRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void deleteSandbox(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<SandboxView> listSandboxes() {
            return List.of();
        }

        @Override
        public SandboxView inspectSandbox(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public InfoView info() {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void requestInFlightCompletesDuringStop() throws Exception {
        Path socket = dir.resolve("api.sock");
        SlowService service = new SlowService();
        ApiServer server = new ApiServer(new ApiServer.Limits(1 << 20, 16, 30_000, 10_000));
        server.start(socket, service);
        try (UnixHttp http = new UnixHttp(socket)) {
            CompletableFuture<UnixHttp.Reply> reply = CompletableFuture.supplyAsync(() -> {
                try {
                    return http.send("POST", "/v1/networks", "{\"name\":\"slow\"}");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(service.entered.await(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::stop);
            Thread.sleep(200); // stop() is now waiting for the request
            assertThat(stopping).isNotDone();
            service.release.countDown();
            assertThat(reply.get(10, TimeUnit.SECONDS).status()).isEqualTo(201);
            stopping.get(10, TimeUnit.SECONDS);
        }
        assertThat(socket).doesNotExist();
    }
}
