package io.nsnet.agent.api;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The API server on a fake service with a few objects, for timing the CLI against a live socket without root
 * (scripts/cli-startup.sh). Usage: StubDaemon SOCKET; runs until killed.
 */
public final class StubDaemon {
    private StubDaemon() {
    }

    public static void main(String[] args) throws Exception {
        FakeService service = new FakeService();
        for (int i = 0; i < 5; i++) {
            service.createNetwork(new NetworkCreateRequest("net" + i, "10." + i + ".0.0/16", null, null, null,
                    i % 2 == 0, null, null, null));
        }
        service.createSandbox(new SandboxCreateRequest("web", List.of("net0", "net1"), null, List.of("8080:80")));
        ApiServer server = new ApiServer();
        server.start(Path.of(args[0]), service);
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
        new CountDownLatch(1).await();
    }
}
