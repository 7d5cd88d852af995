package io.nsnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.fasterxml.jackson.databind.JsonNode;

/** (g, h) Removing everything returns the host to its state after start; a restart changes nothing. */
@Tag("kernel")
class LifecycleTest {
    @RegisterExtension
    final Lab lab = new Lab();

    /** A bit of everything: two user networks (one internal, one icc=false), ports, a second endpoint. */
    static void populate(Lab lab) {
        Api api = lab.api();
        api.createNetwork(Map.of("name", lab.name("front"), "subnet", "10.88.0.0/24", "mtu", 1400));
        api.createNetwork(Map.of("name", lab.name("back"), "internal", true));
        api.createNetwork(Map.of("name", lab.name("quiet"), "icc", false));
        api.createSandbox(Map.of("name", lab.name("web"), "networks", List.of(lab.name("front")),
                "ports", List.of("8080:80/tcp", "8053:53/udp")));
        api.createSandbox(Map.of("name", lab.name("db"), "networks", List.of(lab.name("back"))));
        api.createSandbox(Map.of("name", lab.name("app"), "ports", List.of("127.0.0.1:9090:90")));
        api.connect(lab.name("back"), lab.name("web"));
        api.connect(lab.name("quiet"), lab.name("app"));
    }

    /** (g) Teardown through the API returns links, namespaces, routes and iptables-save exactly to the start. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Backend.class)
    void removingEverythingRestoresTheStateAfterStart(Backend backend) {
        lab.start(DaemonOptions.seed().backend(backend));
        lab.assumeBackend(backend);
        HostSnapshot atStart = HostSnapshot.of(lab);
        List<String> networksAtStart = lab.api().networkNames();
        List<String> sandboxesAtStart = lab.api().sandboxNames();

        populate(lab);
        HostSnapshot populated = HostSnapshot.of(lab);
        assertThat(populated.sandboxNamespaces()).hasSize(atStart.sandboxNamespaces().size() + 3);
        assertThat(populated.links().size()).isGreaterThan(atStart.links().size() + 5);
        assertThat(populated.ruleset().size()).isGreaterThan(atStart.ruleset().size() + 20);
        JsonNode web = lab.api().sandbox(lab.name("web"));
        assertThat(web.get("endpoints")).hasSize(2);
        // The sandbox's own view: eth0 and eth1 with the API's addresses, default route via the first network.
        Netns ns = lab.sandbox(lab.name("web"));
        assertThat(ns.ip("-br", "-4", "addr").check().out()).contains(web.get("endpoints").get(0).get("ip").asText())
                .contains(web.get("endpoints").get(1).get("ip").asText());
        assertThat(ns.ip("route", "show", "default").check().out()).contains("via 10.88.0.1 dev eth0");

        // A disconnect takes the interface out of the sandbox and the veth out of the host.
        String eth1Veth = web.get("endpoints").get(1).get("hostVeth").asText();
        assertThat(lab.host().links()).contains(eth1Veth);
        JsonNode disconnected = lab.api().disconnect(lab.name("back"), lab.name("web"));
        assertThat(disconnected.get("endpoints")).hasSize(1);
        assertThat(ns.links()).as("links in web after the disconnect").doesNotContain("eth1").contains("eth0");
        assertThat(lab.host().links()).as("host links after the disconnect").doesNotContain(eth1Veth);

        for (String sb : List.of("web", "db", "app")) {
            lab.api().deleteSandbox(lab.name(sb));
        }
        for (String n : List.of("front", "back", "quiet")) {
            lab.api().deleteNetwork(lab.name(n));
        }
        assertThat(lab.api().networkNames()).isEqualTo(networksAtStart);
        assertThat(lab.api().sandboxNames()).isEqualTo(sandboxesAtStart);
        HostSnapshot after = HostSnapshot.of(lab);
        assertThat(after.links()).as("links").isEqualTo(atStart.links());
        assertThat(after.addresses()).as("addresses").isEqualTo(atStart.addresses());
        assertThat(after.routes()).as("routes").isEqualTo(atStart.routes());
        assertThat(after.sandboxNamespaces()).as("sandbox namespaces").isEqualTo(atStart.sandboxNamespaces());
        assertThat(after.ruleset()).as("iptables-save").containsExactlyElementsOf(atStart.ruleset());
    }

    /** (h) SIGTERM and start again: same objects, same kernel state, same rules with their counters kept. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Backend.class)
    void restartKeepsStateConnectivityAndRulesWithoutChurn(Backend backend) {
        Lab.requireOwnDaemon("restarts the daemon");
        lab.start(DaemonOptions.seed().backend(backend));
        populate(lab);
        String networks = lab.api().get("/v1/networks").check().raw();
        String sandboxes = lab.api().get("/v1/sandboxes").check().raw();
        // Traffic, so that rules carry counters: a rewritten rule would come back with zero.
        assertThat(Probe.ping(lab.sandbox("web"), Lab.WAN_IP, 2)).isTrue();
        assertThat(Probe.ping(lab.sandbox("app"), Lab.WAN_IP, 2)).isTrue();
        HostSnapshot before = HostSnapshot.of(lab);
        Map<String, Long> countsBefore = lab.firewall().packets();
        assertThat(countsBefore.values()).as("some rules counted packets").anyMatch(n -> n > 0);

        assertThat(lab.restart()).as("nsnetd exit code on SIGTERM (systemd counts 143 as a failed stop)").isZero();

        assertThat(lab.api().get("/v1/networks").check().raw()).as("GET /v1/networks").isEqualTo(networks);
        assertThat(lab.api().get("/v1/sandboxes").check().raw()).as("GET /v1/sandboxes").isEqualTo(sandboxes);
        HostSnapshot after = HostSnapshot.of(lab);
        assertThat(after).as("links, addresses, routes, namespaces, ruleset").isEqualTo(before);
        Map<String, Long> countsAfter = lab.firewall().packets();
        countsBefore.forEach((rule, n) -> assertThat(countsAfter.get(rule))
                .as("counter of %s (a rewritten rule restarts from 0)", rule).isGreaterThanOrEqualTo(n));

        // Connectivity after the restart: out, across a bridge, and the published ports (the proxy is back).
        assertThat(Probe.ping(lab.sandbox("web"), Lab.WAN_IP, 2)).as("web pings out").isTrue();
        String dbIp = Api.ip(lab.api().sandbox("db"));
        assertThat(Probe.ping(lab.sandbox("web"), dbIp, 2)).as("web pings db on the internal network").isTrue();
        try (Probe.TcpServer tcp = new Probe.TcpServer(lab.sandbox("web"), "0.0.0.0", 80)) {
            assertThat(Probe.tcp(lab.wan(), Lab.HOST_IP, 8080, 3000)).as("wan -> 8080").contains(Lab.WAN_IP);
            assertThat(Probe.tcp(lab.host(), "127.0.0.1", 8080, 3000)).as("host 127.0.0.1:8080 via the proxy").isPresent();
        }
    }
}
