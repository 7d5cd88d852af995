package io.nsnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * (b–e) The seed's packet experiments: who can reach whom, and which rules count the packets. Every check is
 * made twice over: the traffic itself (ping, and TCP/UDP probes whose server reports the address it saw) and
 * the rule counters after {@code iptables -Z}.
 */
@Tag("kernel")
class TrafficTest {
    @RegisterExtension
    final Lab lab = new Lab();

    private static String f(String rule) {
        return "filter " + rule;
    }

    private static String nat(String rule) {
        return "nat " + rule;
    }

    /** (b) A sandbox on the default network pings out; the wan sees the host's address (MASQUERADE). */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Backend.class)
    void pingOutIsMasqueradedAndCountedOnTheSeedsRules(Backend backend) throws Exception {
        Lab.requireOwnDaemon("uses the seed's chain prefix and docker0");
        lab.start(DaemonOptions.seed().backend(backend));
        lab.api().createSandbox(Map.of("name", "a"));
        Netns a = lab.sandbox("a");
        assertThat(a.ip("-o", "route", "show", "default").check().out()).contains("via 172.17.0.1 dev eth0");

        lab.firewall().zero();
        assertThat(Probe.ping(a, Lab.WAN_IP, 3)).as("ping 203.0.113.1 from the sandbox").isTrue();
        try (Probe.UdpServer udp = new Probe.UdpServer(lab.wan(), Lab.WAN_IP, 5353);
             Probe.TcpServer tcp = new Probe.TcpServer(lab.wan(), Lab.WAN_IP, 8000)) {
            assertThat(Probe.udp(a, Lab.WAN_IP, 5353, 2000)).as("the wan's UDP server saw").contains(Lab.HOST_IP);
            assertThat(Probe.tcp(a, Lab.WAN_IP, 8000, 2000)).as("the wan's TCP server saw").contains(Lab.HOST_IP);
        }
        Counters.read(lab.firewall())
                .moved(f("-A FORWARD -j DOCKER-USER"), f("-A FORWARD -j DOCKER-ISOLATION-STAGE-1"),
                        f("-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"),
                        f("-A FORWARD -i docker0 ! -o docker0 -j ACCEPT"),
                        f("-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2"),
                        f("-A DOCKER-ISOLATION-STAGE-2 -j RETURN"), f("-A DOCKER-USER -j RETURN"),
                        nat("-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE"))
                .still(f("-A FORWARD -o docker0 -j DOCKER"), f("-A FORWARD -i docker0 -o docker0 -j ACCEPT"),
                        f("-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP"));
    }

    /** (c) Two sandboxes on one bridge ping each other: bridged traffic counts on {@code -i B -o B -j ACCEPT}. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Backend.class)
    void sameBridgeTrafficCountsOnTheIccAccept(Backend backend) {
        Lab.requireOwnDaemon("uses the seed's chain prefix and docker0");
        lab.start(DaemonOptions.seed().backend(backend));
        lab.api().createSandbox(Map.of("name", "a"));
        JsonNode b = lab.api().createSandbox(Map.of("name", "b"));
        lab.firewall().zero();
        assertThat(Probe.ping(lab.sandbox("a"), Api.ip(b), 3)).as("a pings b").isTrue();
        Counters.read(lab.firewall())
                .moved(f("-A FORWARD -i docker0 -o docker0 -j ACCEPT"),
                        f("-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"))
                .still(f("-A FORWARD -i docker0 ! -o docker0 -j ACCEPT"),
                        f("-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP"),
                        nat("-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE"));
    }

    /** (d) Sandboxes on two user networks cannot reach each other; STAGE-2's DROP for the target counts. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Backend.class)
    void userNetworksAreIsolatedByStage2(Backend backend) {
        lab.start(DaemonOptions.seed().backend(backend));
        lab.assumeBackend(backend);
        String p = lab.info().get("chainPrefix").asText();
        JsonNode n1 = lab.api().createNetwork(lab.name("n1"));
        JsonNode n2 = lab.api().createNetwork(lab.name("n2"));
        String b1 = n1.get("bridge").asText();
        String b2 = n2.get("bridge").asText();
        JsonNode a = lab.api().createSandbox(lab.name("a"), lab.name("n1"));
        JsonNode b = lab.api().createSandbox(lab.name("b"), lab.name("n2"));
        Netns na = lab.sandbox(lab.name("a"));
        Netns nb = lab.sandbox(lab.name("b"));

        lab.firewall().zero();
        assertThat(Probe.ping(na, Api.ip(b), 2)).as("a (n1) pings b (n2)").isFalse();
        try (Probe.TcpServer srv = new Probe.TcpServer(na, "0.0.0.0", 8000)) {
            assertThat(Probe.tcp(nb, Api.ip(a), 8000, 1500)).as("b (n2) connects to a (n1)").isEmpty();
        }
        Counters c = Counters.read(lab.firewall());
        c.moved(f("-A " + p + "-ISOLATION-STAGE-1 -i " + b1 + " ! -o " + b1 + " -j " + p + "-ISOLATION-STAGE-2"),
                f("-A " + p + "-ISOLATION-STAGE-2 -o " + b2 + " -j DROP"),
                f("-A " + p + "-ISOLATION-STAGE-2 -o " + b1 + " -j DROP"));
        // Both still reach the outside and their own gateway.
        assertThat(Probe.ping(na, Lab.WAN_IP, 2)).as("a pings out").isTrue();
        assertThat(Probe.ping(nb, Lab.WAN_IP, 2)).as("b pings out").isTrue();
    }

    /** (e) An internal network: traffic inside works, nothing leaves or enters; the isolation DROPs count. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Backend.class)
    void internalNetworkKeepsTrafficInside(Backend backend) {
        lab.start(DaemonOptions.seed().backend(backend));
        lab.assumeBackend(backend);
        String p = lab.info().get("chainPrefix").asText();
        JsonNode net = lab.api().createNetwork(Map.of("name", lab.name("int"), "internal", true, "subnet", "10.77.0.0/24"));
        String br = net.get("bridge").asText();
        JsonNode a = lab.api().createSandbox(lab.name("a"), lab.name("int"));
        JsonNode b = lab.api().createSandbox(lab.name("b"), lab.name("int"));
        Netns na = lab.sandbox(lab.name("a"));
        // The wan can route to the subnet through the host: only the firewall stands between them.
        lab.wan().ip("route", "add", "10.77.0.0/24", "via", Lab.HOST_IP).check();

        lab.firewall().zero();
        assertThat(Probe.ping(na, Api.ip(b), 2)).as("a pings b inside the internal network").isTrue();
        assertThat(Probe.ping(na, Lab.WAN_IP, 2)).as("a pings out").isFalse();
        assertThat(Probe.ping(lab.wan(), Api.ip(a), 2)).as("the wan pings a").isFalse();
        assertThat(lab.firewall().rules()).as("no nat rule for an internal network").noneMatch(r -> r.startsWith("nat") && r.contains(br));
        Counters.read(lab.firewall())
                .moved(f("-A FORWARD -i " + br + " -o " + br + " -j ACCEPT"),
                        f("-A " + p + "-ISOLATION-STAGE-1 ! -d 10.77.0.0/24 -i " + br + " -j DROP"),
                        f("-A " + p + "-ISOLATION-STAGE-1 ! -s 10.77.0.0/24 -o " + br + " -j DROP"));
    }

    /** (e) icc=false: same-bridge traffic is dropped by the appended {@code -i B -o B -j DROP}; egress works. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Backend.class)
    void iccFalseDropsSameBridgeTrafficButNotEgress(Backend backend) {
        lab.start(DaemonOptions.seed().backend(backend));
        lab.assumeBackend(backend);
        JsonNode net = lab.api().createNetwork(Map.of("name", lab.name("noicc"), "icc", false));
        String br = net.get("bridge").asText();
        lab.api().createSandbox(lab.name("a"), lab.name("noicc"));
        JsonNode b = lab.api().createSandbox(lab.name("b"), lab.name("noicc"));
        Netns na = lab.sandbox(lab.name("a"));
        String drop = f("-A FORWARD -i " + br + " -o " + br + " -j DROP");
        assertThat(lab.firewall().rules().stream().filter(r -> r.startsWith("filter -A FORWARD ")).toList())
                .as("the DROP is appended at the end of FORWARD").last().isEqualTo(drop);

        lab.firewall().zero();
        assertThat(Probe.ping(na, Api.ip(b), 2)).as("a pings b on an icc=false network").isFalse();
        try (Probe.UdpServer srv = new Probe.UdpServer(lab.sandbox(lab.name("b")), "0.0.0.0", 9000)) {
            assertThat(Probe.udp(na, Api.ip(b), 9000, 700)).as("a sends UDP to b").isEmpty();
        }
        assertThat(Probe.ping(na, Lab.WAN_IP, 2)).as("a pings out").isTrue();
        Counters.read(lab.firewall()).moved(drop, f("-A FORWARD -i " + br + " ! -o " + br + " -j ACCEPT"));
    }
}
