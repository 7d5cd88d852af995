package io.nsnet.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nsnet.agent.api.ApiServer;
import io.nsnet.agent.api.ConnectRequest;
import io.nsnet.agent.api.FakeService;
import io.nsnet.agent.api.NetworkCreateRequest;
import io.nsnet.agent.api.SandboxCreateRequest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The CLI driven in-process against the real API server backed by a fake service. */
class CliTest {
    @TempDir
    Path dir;
    Path socket;
    FakeService service;
    ApiServer server;
    final Map<String, String> env = new HashMap<>();
    final List<List<String>> processes = new ArrayList<>();
    int processStatus = 0;

    /** What one CLI run printed and returned. */
    record Run(int status, String out, String err) {
    }

    @BeforeEach
    void start() throws Exception {
        socket = dir.resolve("nsnetd.sock");
        service = new FakeService();
        server = new ApiServer();
        server.start(socket, service);
        env.put("NSNET_SOCKET", socket.toString());
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    Run nsnet(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CliContext ctx = new CliContext(new PrintWriter(out, true), new PrintWriter(err, true), env, command -> {
            processes.add(command);
            return processStatus;
        });
        int status = Nsnet.run(ctx, args);
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void networkCreateSendsEveryOption() {
        Run r = nsnet("network", "create", "front", "--subnet", "10.1.0.0/16", "--gateway", "10.1.0.254",
                "--ip-range", "10.1.1.0/24", "--internal", "--icc=false", "--bridge-name", "br-front", "--mtu", "9000",
                "--masquerade=false");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(service.calls).containsExactly(new NetworkCreateRequest("front", "10.1.0.0/16", "10.1.0.254",
                "10.1.1.0/24", true, false, false, "br-front", 9000));
        assertThat(r.out().trim()).hasSize(64).isEqualTo(service.inspectNetwork("front").id());
    }

    @Test
    void networkCreateDefaultsAreLeftToTheDaemon() {
        assertThat(nsnet("network", "create", "plain").status()).isZero();
        assertThat(service.calls).containsExactly(
                new NetworkCreateRequest("plain", null, null, null, null, null, null, null, null));
    }

    @Test
    void booleanFlagsTakeOptionalValues() {
        assertThat(nsnet("network", "create", "--internal", "a", "--icc", "true").status()).isZero();
        assertThat(nsnet("network", "create", "b", "--internal=false", "--masquerade").status()).isZero();
        assertThat(service.calls).containsExactly(
                new NetworkCreateRequest("a", null, null, null, true, true, null, null, null),
                new NetworkCreateRequest("b", null, null, null, false, null, true, null, null));
    }

    @Test
    void networkLsTable() {
        nsnet("network", "create", "front", "--subnet", "10.1.0.0/16", "--gateway", "10.1.0.1", "--icc=false");
        nsnet("network", "create", "back-office", "--subnet", "10.2.0.0/24", "--gateway", "10.2.0.1", "--mtu", "9000");
        Run r = nsnet("network", "ls");
        assertThat(r.status()).isZero();
        String id1 = service.inspectNetwork("back-office").id().substring(0, 12);
        String id2 = service.inspectNetwork("front").id().substring(0, 12);
        assertThat(r.out()).isEqualTo(String.join(System.lineSeparator(),
                "NAME          NETWORK ID     BRIDGE            SUBNET        GATEWAY    SANDBOXES   FLAGS",
                "back-office   " + id1 + "   nsn-back-office   10.2.0.0/24   10.2.0.1   0           mtu=9000",
                "front         " + id2 + "   nsn-front         10.1.0.0/16   10.1.0.1   0           icc=false",
                ""));
        assertThat(nsnet("network", "ls", "-q").out()).isEqualTo("back-office" + System.lineSeparator() + "front"
                + System.lineSeparator());
    }

    @Test
    void networkLsJsonIsTheApiDocument() throws Exception {
        nsnet("network", "create", "front");
        Run r = nsnet("network", "ls", "--json");
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.isArray()).isTrue();
        assertThat(json.get(0).get("name").asText()).isEqualTo("front");
        assertThat(json.get(0).has("sandboxes")).isTrue();
    }

    @Test
    void networkInspect() throws Exception {
        nsnet("network", "create", "front", "--subnet", "10.1.0.0/16", "--gateway", "10.1.0.1");
        nsnet("sandbox", "create", "web", "--network", "front");
        Run human = nsnet("network", "inspect", "front");
        assertThat(human.status()).isZero();
        assertThat(human.out()).contains("Name:         front").contains("Subnet:       10.1.0.0/16")
                .contains("IP range:     -").contains("Sandboxes:    -");
        Run json = nsnet("network", "inspect", "front", "--json");
        assertThat(new ObjectMapper().readTree(json.out()).get("gateway").asText()).isEqualTo("10.1.0.1");
        Run missing = nsnet("network", "inspect", "nope");
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("Error: network nope not found" + System.lineSeparator());
    }

    @Test
    void rmTriesEveryNameAndFailsIfAnyFailed() {
        nsnet("network", "create", "a");
        nsnet("network", "create", "b");
        Run r = nsnet("network", "rm", "a", "missing", "b");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).isEqualTo("a" + System.lineSeparator() + "b" + System.lineSeparator());
        assertThat(r.err()).isEqualTo("Error: network missing not found" + System.lineSeparator());
        assertThat(nsnet("network", "ls", "-q").out()).isEmpty();
    }

    @Test
    void connectAndDisconnect() {
        nsnet("network", "create", "front");
        nsnet("sandbox", "create", "web", "--network", "none");
        Run c = nsnet("network", "connect", "front", "web", "--ip", "172.18.0.50");
        assertThat(c.status()).as(c.err()).isZero();
        assertThat(c.out()).isEmpty();
        Run d = nsnet("network", "disconnect", "front", "web");
        assertThat(d.status()).isZero();
        assertThat(service.calls).contains("connect:front:" + new ConnectRequest("web", "172.18.0.50"),
                "disconnect:front:" + new ConnectRequest("web", null));
    }

    @Test
    void sandboxCreateSendsEveryOption() {
        Run r = nsnet("sandbox", "create", "web", "--network", "front", "--network", "back", "--ip", "10.1.0.9",
                "-p", "8080:80", "--publish", "127.0.0.1:5353:53/udp");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(service.calls).containsExactly(new SandboxCreateRequest("web", List.of("front", "back"),
                "10.1.0.9", List.of("8080:80", "127.0.0.1:5353:53/udp")));
        assertThat(r.out().trim()).isEqualTo(service.inspectSandbox("web").id());
        nsnet("sandbox", "create", "bare");
        assertThat(service.calls.get(1)).isEqualTo(new SandboxCreateRequest("bare", null, null, null));
    }

    @Test
    void sandboxLsAndInspect() throws Exception {
        nsnet("sandbox", "create", "web", "--network", "front", "--network", "back", "--ip", "10.1.0.9", "-p",
                "8080:80/tcp");
        nsnet("sandbox", "create", "db", "--network", "none");
        Run ls = nsnet("sandbox", "ls");
        String idDb = service.inspectSandbox("db").id().substring(0, 12);
        String idWeb = service.inspectSandbox("web").id().substring(0, 12);
        assertThat(ls.out()).isEqualTo(String.join(System.lineSeparator(),
                "NAME   SANDBOX ID     NETNS       NETWORKS                               PORTS",
                "db     " + idDb + "   nsnet-db    -                                      -",
                "web    " + idWeb + "   nsnet-web   front=10.1.0.9/16,back=172.17.0.2/16   8080:80/tcp",
                ""));
        Run inspect = nsnet("sandbox", "inspect", "web");
        assertThat(inspect.out()).contains("Netns:      nsnet-web").contains("Ports:      8080:80/tcp")
                .contains("  NETWORK   IFNAME   HOST VETH");
        JsonNode json = new ObjectMapper().readTree(nsnet("sandbox", "inspect", "web", "--json").out());
        assertThat(json.get("endpoints").get(0).get("ip").asText()).isEqualTo("10.1.0.9/16");
        assertThat(new ObjectMapper().readTree(nsnet("sandbox", "ls", "--json").out()).size()).isEqualTo(2);
        Run rm = nsnet("sandbox", "rm", "web", "db");
        assertThat(rm.status()).isZero();
        assertThat(service.listSandboxes()).isEmpty();
    }

    @Test
    void execRunsIpNetnsExecWithAnArgumentArray() {
        nsnet("sandbox", "create", "web");
        processStatus = 7;
        Run r = nsnet("exec", "web", "--", "ping", "-c", "1", "10.0.0.1; rm -rf /");
        assertThat(r.status()).isEqualTo(7);
        assertThat(processes).containsExactly(
                List.of("ip", "netns", "exec", "nsnet-web", "ping", "-c", "1", "10.0.0.1; rm -rf /"));
    }

    @Test
    void execWithoutSeparatorKeepsTheCommandsOptions() {
        nsnet("sandbox", "create", "web");
        Run r = nsnet("exec", "web", "ip", "-4", "addr");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(processes).containsExactly(List.of("ip", "netns", "exec", "nsnet-web", "ip", "-4", "addr"));
    }

    @Test
    void execOfAMissingSandboxRunsNothing() {
        Run r = nsnet("exec", "ghost", "--", "true");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("Error: sandbox ghost not found" + System.lineSeparator());
        assertThat(processes).isEmpty();
    }

    @Test
    void info() throws Exception {
        Run r = nsnet("info");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("Version:            0.1.0-test").contains("Chain prefix:       NSNET");
        assertThat(new ObjectMapper().readTree(nsnet("info", "--json").out()).get("hostNetns").asText())
                .isEqualTo("host");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "bogus", "network", "network create", "network create a --mtu abc", "network create a --nope",
        "network rm", "network connect onlyone", "network inspect", "sandbox", "sandbox create",
        "sandbox create a -p", "exec", "exec web", "exec web --", "network create a b", "info extra"})
    void usageErrorsExit2(String line) {
        Run r = nsnet(line.isEmpty() ? new String[0] : line.split(" "));
        assertThat(r.status()).as("%s: %s", line, r.err()).isEqualTo(2);
        assertThat(r.err()).startsWith("Error: ").contains("--help");
        assertThat(service.calls).isEmpty();
    }

    @Test
    void daemonErrorsExit1WithTheMessage() {
        nsnet("network", "create", "a");
        Run dup = nsnet("network", "create", "a");
        assertThat(dup.status()).isEqualTo(1);
        assertThat(dup.err()).isEqualTo("Error: network a already exists" + System.lineSeparator());
        assertThat(dup.out()).isEmpty();
        Run boom = nsnet("network", "inspect", "boom");
        assertThat(boom.status()).isEqualTo(1);
        assertThat(boom.err()).isEqualTo("Error: internal error: kaboom" + System.lineSeparator());
    }

    @Test
    void unreachableDaemon() throws Exception {
        Path missing = dir.resolve("nothing/here.sock");
        Run r = nsnet("--socket", missing.toString(), "network", "ls");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("Error: cannot reach nsnetd at " + missing + ": no such file (is nsnetd running?)"
                + System.lineSeparator());

        Path stale = dir.resolve("stale.sock");
        try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(stale));
        }
        Run s = nsnet("network", "ls", "--socket", stale.toString());
        assertThat(s.status()).isEqualTo(1);
        assertThat(s.err()).startsWith("Error: cannot reach nsnetd at " + stale + ": ");
    }

    @Test
    void socketComesFromOptionThenEnvironment() {
        nsnet("network", "create", "a");
        env.put("NSNET_SOCKET", dir.resolve("wrong.sock").toString());
        assertThat(nsnet("network", "ls", "-q").status()).isEqualTo(1);
        assertThat(nsnet("--socket", socket.toString(), "network", "ls", "-q").out().trim()).isEqualTo("a");
        assertThat(nsnet("network", "ls", "-q", "--socket", socket.toString()).out().trim()).isEqualTo("a");
        env.remove("NSNET_SOCKET");
        Run dflt = nsnet("network", "ls");
        assertThat(dflt.err()).contains("cannot reach nsnetd at " + NsnetCommand.DEFAULT_SOCKET);
    }

    @Test
    void helpListsEveryCommandEvenThoughOnlyTheNamedBranchIsBuilt() {
        assertThat(nsnet("--help").out()).contains("network", "sandbox", "exec", "info");
        assertThat(nsnet("network", "--help").out()).contains("create", "rm", "ls", "inspect", "connect",
                "disconnect");
        assertThat(nsnet("--socket", socket.toString(), "sandbox", "-h").out()).contains("create", "rm", "ls",
                "inspect");
        Run typo = nsnet("network", "lss");
        assertThat(typo.status()).isEqualTo(2);
        assertThat(typo.err()).contains("lss");
        assertThat(nsnet("network", "list", "-q").status()).isZero();
        assertThat(nsnet("sandbox", "remove", "nothing").err()).contains("sandbox nothing not found");
    }

    @Test
    void positionalsSkipOptionsAndTheSocketValue() {
        assertThat(CommandTree.positionals(new String[] {"--socket", "network", "sandbox", "ls"}))
                .containsExactly("sandbox", "ls");
        assertThat(CommandTree.positionals(new String[] {"-q", "network", "--json", "ls", "x"}))
                .containsExactly("network", "ls");
        assertThat(CommandTree.positionals(new String[] {"exec", "--", "network"})).containsExactly("exec");
    }

    @Test
    void prewarmedClientGivesTheSameResults() {
        nsnet("network", "create", "a");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] args = {"network", "ls", "-q"};
        CliContext ctx = new CliContext(new PrintWriter(out, true), new PrintWriter(err, true), env, c -> 0,
                ClientPrewarm.start(args, env));
        assertThat(Nsnet.run(ctx, args)).isZero();
        assertThat(out.toString().trim()).isEqualTo("a");

        // Predicted a socket that does not exist: the error is the one a direct open gives.
        String[] bad = {"--socket", dir.resolve("none.sock").toString(), "info"};
        StringWriter err2 = new StringWriter();
        CliContext ctx2 = new CliContext(new PrintWriter(new StringWriter(), true), new PrintWriter(err2, true), env,
                c -> 0, ClientPrewarm.start(bad, env));
        assertThat(Nsnet.run(ctx2, bad)).isEqualTo(1);
        assertThat(err2.toString()).startsWith("Error: cannot reach nsnetd at " + dir.resolve("none.sock")
                + ": no such file");

        // A prewarmed client the command never used (usage error) must not keep a JVM alive.
        String[] unused = {"network", "create"};
        assertThat(Nsnet.run(new CliContext(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                env, c -> 0, ClientPrewarm.start(unused, env)), unused)).isEqualTo(2);
        assertThat(Thread.getAllStackTraces().keySet())
                .filteredOn(t -> t.getName().startsWith("nsnet-cli") || t.getName().startsWith("nsnet-prewarm")
                        || t.getName().startsWith("HttpClient"))
                .allMatch(Thread::isDaemon);
    }

    @Test
    void socketPredictionFollowsTheCommandsOwnRules() {
        Map<String, String> none = Map.of();
        assertThat(ClientPrewarm.predictSocket(new String[] {"network", "ls", "--socket", "/a.sock"}, none))
                .isEqualTo(Path.of("/a.sock"));
        assertThat(ClientPrewarm.predictSocket(new String[] {"--socket=/b.sock", "info"}, none))
                .isEqualTo(Path.of("/b.sock"));
        assertThat(ClientPrewarm.predictSocket(new String[] {"exec", "x", "--", "--socket", "/c"}, none))
                .isEqualTo(Path.of(NsnetCommand.DEFAULT_SOCKET));
        assertThat(ClientPrewarm.predictSocket(new String[] {"info"}, Map.of("NSNET_SOCKET", "/e.sock")))
                .isEqualTo(Path.of("/e.sock"));
    }

    @Test
    void helpAndVersionExit0() {
        Run help = nsnet("network", "create", "--help");
        assertThat(help.status()).isZero();
        assertThat(help.out()).contains("--icc").contains("--masquerade").contains("--bridge-name");
        assertThat(nsnet("--version").status()).isZero();
        assertThat(nsnet("exec", "--help").out()).contains("needs root");
    }
}
