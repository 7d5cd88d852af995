package io.nsnet.agent.cli;

import io.nsnet.agent.api.ApiServer;
import io.nsnet.agent.api.ConnectRequest;
import io.nsnet.agent.api.InfoView;
import io.nsnet.agent.api.NetworkCreateRequest;
import io.nsnet.agent.api.NetworkView;
import io.nsnet.agent.api.NsnetService;
import io.nsnet.agent.api.SandboxCreateRequest;
import io.nsnet.agent.api.SandboxView;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The training run behind bin/nsnet's class-data-sharing archive: it drives the CLI's usual paths (tables,
 * JSON, inspect, errors, help) against a real API server on a throwaway socket, so the class list it leaves
 * ({@code -XX:DumpLoadedClassList}) holds what a real call loads. Not part of the CLI itself: only the launcher
 * runs it, once per build, with the daemon's class path appended for the server side.
 */
public final class CdsTraining {
    private CdsTraining() {
    }

    public static void main(String[] args) throws IOException {
        Nsnet.quietAndQuickStart();
        Path dir = Files.createTempDirectory("nsnet-cds");
        Path socket = dir.resolve("train.sock");
        ApiServer server = new ApiServer();
        server.start(socket, new SampleService());
        PrintWriter sink = new PrintWriter(Writer.nullWriter());
        Map<String, String> env = Map.of("NSNET_SOCKET", socket.toString());
        try {
            String[][] lines = {
                {"network", "ls"}, {"network", "ls", "--json"}, {"network", "inspect", "front"},
                {"network", "inspect", "front", "--json"}, {"sandbox", "ls"}, {"sandbox", "ls", "--json"},
                {"sandbox", "inspect", "web"}, {"info"}, {"network", "create", "x", "--icc=false"},
                {"sandbox", "create", "y", "-p", "80:80"}, {"network", "rm", "missing"}, {"network", "create"},
                {"network", "ls", "--help"},
            };
            for (String[] line : lines) {
                Nsnet.run(new CliContext(sink, sink, env, cmd -> 0, ClientPrewarm.start(line, env)), line);
            }
        } finally {
            server.stop();
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
        // Like the CLI: one-shot, whatever helper threads are left.
        System.exit(0);
    }

    /** Canned answers shaped like the daemon's, enough for every training command to succeed or fail. */
    private static final class SampleService implements NsnetService {
        private static final NetworkView NET = new NetworkView("front", "f".repeat(64), "nsn-ffffffffff",
                "172.18.0.0/16", "172.18.0.1", null, false, true, true, 1500, false, "2026-01-01T00:00:00Z",
                List.of(new NetworkView.AttachedSandbox("web", "172.18.0.2/16", "02:42:ac:12:00:02", "eth0")));
        private static final SandboxView SB = new SandboxView("web", "e".repeat(64), "nsnet-web",
                List.of(new SandboxView.EndpointView("front", "eth0", "veth0123456", "172.18.0.2/16",
                        "02:42:ac:12:00:02", "172.18.0.1")), List.of("8080:80/tcp"), "2026-01-01T00:00:00Z");

        @Override
        public NetworkView createNetwork(NetworkCreateRequest request) {
            return NET;
        }

        @Override
        public void deleteNetwork(String name) {
            throw new io.nsnet.agent.model.NotFoundException("network " + name + " not found");
        }

        @Override
        public List<NetworkView> listNetworks() {
            return List.of(NET, NET);
        }

        @Override
        public NetworkView inspectNetwork(String name) {
            return NET;
        }

        @Override
        public SandboxView connect(String network, ConnectRequest request) {
            return SB;
        }

        @Override
        public SandboxView disconnect(String network, ConnectRequest request) {
            return SB;
        }

        @Override
        public SandboxView createSandbox(SandboxCreateRequest request) {
            return SB;
        }

        @Override
        public void deleteSandbox(String name) {
        }

        @Override
        public List<SandboxView> listSandboxes() {
            return List.of(SB, SB);
        }

        @Override
        public SandboxView inspectSandbox(String name) {
            return SB;
        }

        @Override
        public InfoView info() {
            return new InfoView("0", "nft", "NSNET", "host", "nsnet", true, "nsnet-", "/run/nsnet/nsnetd.sock",
                    "/var/lib/nsnet", 1, 1);
        }
    }
}
