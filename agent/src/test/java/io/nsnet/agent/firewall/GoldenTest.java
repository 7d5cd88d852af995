package io.nsnet.agent.firewall;

import static org.assertj.core.api.Assertions.assertThat;

import io.nsnet.agent.firewall.FirewallState.Endpoint;
import io.nsnet.agent.firewall.FirewallState.Network;
import io.nsnet.agent.firewall.FirewallState.Protocol;
import io.nsnet.agent.firewall.FirewallState.PublishedPort;
import io.nsnet.agent.firewall.model.SaveFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generator against Docker 20.10's captured rulesets (copied from shared/reference/docker-20.10/NN-*), rule
 * for rule and in order. Each case rebuilds the networks and containers that existed at that step.
 */
class GoldenTest {

    static final Network DOCKER0 = Network.bridge("docker0", "172.17.0.0/16");
    static final Network MYNET = Network.bridge("br-4b5b96ea31b3", "172.18.0.0/16");
    static final Network INTERNAL = new Network("br-cf435cf69a02", "172.19.0.0/16", true, true, true);
    static final Network SUBNET = Network.bridge("br-37db53707c39", "10.50.0.0/24");
    static final Network NOICC = new Network("br-3c89d834f03e", "172.20.0.0/16", false, false, true);
    static final Network CUSTOM = Network.bridge("br-custom", "172.21.0.0/16");

    static final Endpoint WEB = new Endpoint("172.17.0.3", "docker0", List.of(PublishedPort.tcp(8080, 80)));
    // Docker programmed web2's three bindings in this order (not the command-line order).
    static final Endpoint WEB2 = new Endpoint("172.18.0.3", "br-4b5b96ea31b3", List.of(
            new PublishedPort(null, 9999, 9999, Protocol.UDP),
            new PublishedPort("203.0.113.2", 8443, 443, Protocol.TCP),
            PublishedPort.tcp(8081, 80)));

    static Stream<Arguments> steps() {
        List<Network> all = List.of(DOCKER0, MYNET, INTERNAL, SUBNET, NOICC, CUSTOM);
        Network mynet22 = Network.bridge("br-8e00248b2b67", "172.18.0.0/16");
        return Stream.of(
                Arguments.of("02", proxy(List.of(DOCKER0), List.of())),
                Arguments.of("03", proxy(all.subList(0, 2), List.of())),
                Arguments.of("04", proxy(all.subList(0, 3), List.of())),
                Arguments.of("05", proxy(all.subList(0, 4), List.of())),
                Arguments.of("06", proxy(all.subList(0, 5), List.of())),
                Arguments.of("07", proxy(all, List.of())),
                // c1 and c2 publish nothing: no rules change.
                Arguments.of("08", proxy(all, List.of(new Endpoint("172.17.0.2", "docker0", List.of())))),
                Arguments.of("09", proxy(all, List.of(new Endpoint("172.18.0.2", "br-4b5b96ea31b3", List.of())))),
                Arguments.of("10", proxy(all, List.of(WEB))),
                Arguments.of("11", proxy(all, List.of(WEB, WEB2))),
                Arguments.of("15", proxy(List.of(DOCKER0), List.of())),
                Arguments.of("20", noProxy(List.of(DOCKER0), List.of())),
                Arguments.of("21", noProxy(List.of(DOCKER0),
                        List.of(new Endpoint("172.17.0.2", "docker0", List.of(PublishedPort.tcp(8080, 80)))))),
                Arguments.of("22", noProxy(List.of(DOCKER0, mynet22), List.of(
                        new Endpoint("172.17.0.2", "docker0", List.of(PublishedPort.tcp(8080, 80))),
                        new Endpoint("172.18.0.2", "br-8e00248b2b67", List.of(PublishedPort.tcp(8081, 80)))))));
    }

    static FirewallState proxy(List<Network> networks, List<Endpoint> endpoints) {
        return new FirewallState("DOCKER", true, networks, endpoints);
    }

    static FirewallState noProxy(List<Network> networks, List<Endpoint> endpoints) {
        return new FirewallState("DOCKER", false, networks, endpoints);
    }

    @ParameterizedTest(name = "step {0}")
    @MethodSource("steps")
    void generatorReproducesDockerCapture(String step, FirewallState state) throws IOException {
        List<String> expected = significantLines(resource("golden/" + step + "-iptables-nft-save.txt"));
        List<String> actual = significantLines(SaveFormat.render(RulesetGenerator.generate(state).toRuleset()));
        assertThat(actual).containsExactlyElementsOf(expected);
    }

    @ParameterizedTest(name = "step {0}")
    @MethodSource("steps")
    void captureRoundTripsThroughTheModel(String step, FirewallState ignored) throws IOException {
        String capture = resource("golden/" + step + "-iptables-nft-save.txt");
        String rendered = SaveFormat.render(SaveFormat.parse(capture));
        assertThat(allLinesWithoutCounters(rendered)).containsExactlyElementsOf(allLinesWithoutCounters(capture));
    }

    @Test
    void seedListingOfTheDefaultBridge() throws IOException {
        List<String> seed = resource("golden/seed-iptables-S.txt").lines().toList();
        String filter = SaveFormat.render(RulesetGenerator.generate(proxy(List.of(DOCKER0), List.of())).toRuleset());
        List<String> actual = new ArrayList<>();
        boolean inFilter = false;
        for (String l : filter.lines().toList()) {
            if (l.startsWith("*")) {
                inFilter = l.equals("*filter");
            } else if (inFilter && l.startsWith(":") && l.contains(" - ")) {
                actual.add("-N " + l.substring(1, l.indexOf(' ')));
            } else if (inFilter && l.startsWith("-A ")) {
                actual.add(l);
            }
        }
        List<String> expected = seed.stream().filter(l -> !l.startsWith("-P ")).toList();
        assertThat(actual).containsExactlyElementsOf(expected);
    }

    /** Table headers, user-chain declarations and rules; built-in policies and comments are not compared. */
    static List<String> significantLines(String save) {
        List<String> out = new ArrayList<>();
        for (String l : save.lines().toList()) {
            if (l.startsWith("*") || l.startsWith("-A ")) {
                out.add(l);
            } else if (l.startsWith(":") && l.contains(" - ")) {
                out.add(l.substring(0, l.indexOf(" - ")));
            }
        }
        return out;
    }

    static List<String> allLinesWithoutCounters(String save) {
        return save.lines().filter(l -> !l.startsWith("#")).map(l -> l.replaceAll(" \\[\\d+:\\d+\\]$", "")).toList();
    }

    static String resource(String name) throws IOException {
        try (InputStream in = GoldenTest.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
