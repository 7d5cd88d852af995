package io.nsnet.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.nsnet.agent.model.Endpoint;
import io.nsnet.agent.model.Fixtures;
import io.nsnet.agent.model.Network;
import io.nsnet.agent.model.Sandbox;
import io.nsnet.agent.sandbox.SandboxDriver;
import io.nsnet.link.LinkRemover;
import io.nsnet.link.LinkSpec;
import io.nsnet.netns.NetNs;
import io.nsnet.rtnl.Rtnl;
import io.nsnet.testing.Observer;
import io.nsnet.testing.ThrowawayNetns;

/**
 * A new sandbox's veths, plugged before its row is committed, against the kernel: they follow the networks the
 * transaction settles on, and they never outlive a namespace that was never named (what makes plugging ahead crash
 * safe: a daemon that dies drops its unnamed namespace, and the veths go with it).
 */
@Tag("kernel")
class NewSandboxLinksKernelTest {
    private ThrowawayNetns namespaces;
    private NetNs host;
    private Rtnl rtnl;
    private SandboxDriver driver;
    private final Network a = Fixtures.network("a", "10.81.0.0/24", 1);
    private final Network b = Fixtures.network("b", "10.82.0.0/24", 2);

    @BeforeEach
    void setUp() {
        namespaces = new ThrowawayNetns();
        host = namespaces.create("links");
        rtnl = Rtnl.open(host);
        for (Network n : List.of(a, b)) {
            rtnl.links().add(LinkSpec.Bridge.named(n.bridge()));
        }
        driver = new SandboxDriver(rtnl, new LinkRemover(host, 1), false);
    }

    @AfterEach
    void tearDown() {
        driver.close();
        rtnl.close();
        namespaces.close();
    }

    private int bridgeIndex(Network n) {
        return rtnl.links().get(n.bridge()).index();
    }

    private NewSandboxLinks links(String veth) {
        return new NewSandboxLinks(driver, driver.take("nst-never-named"), Fixtures.id(7), List.of(veth),
                this::bridgeIndex);
    }

    private String masterOf(String veth) {
        return Observer.link(host.name(), veth).path("master").asText();
    }

    @Test
    void vethsFollowTheNetworksTheTransactionSettlesOnAndGetTheirAddressInside() {
        try (NewSandboxLinks links = links("veth0a0a0a0")) {
            links.plug(List.of(a)); // what the cached rows said
            assertThat(masterOf("veth0a0a0a0")).isEqualTo(a.bridge());
            links.plug(List.of(a)); // the transaction agreed: nothing is made again
            links.plug(List.of(b)); // it did not: the veth moves
            assertThat(masterOf("veth0a0a0a0")).isEqualTo(b.bridge());
            assertThat(Observer.linkNames(host.name()).stream().filter(l -> l.startsWith("veth"))).hasSize(1);

            Endpoint ep = Endpoint.create("b", "eth0", "veth0a0a0a0", io.nsnet.agent.model.Ipv4.parse("10.82.0.5"));
            Sandbox sb = Fixtures.sandbox("s", 1, List.of(ep), List.of());
            links.configure(sb, Map.of("b", b));
            String inside = links.handle().ns().call(() -> Observer.run("ip", "-j", "addr", "show", "eth0"));
            assertThat(inside).contains("10.82.0.5").contains(ep.mac().toString()).contains("\"UP\"");
        }
    }

    @Test
    void aFailedCreateTakesItsVethsBackAtOnce() {
        NewSandboxLinks links = links("veth1b1b1b1");
        links.plug(List.of(a));
        assertThat(links.abandon().isEmpty()).isTrue();
        assertThat(Observer.linkNames(host.name())).doesNotContain("veth1b1b1b1");
        assertThat(NetNs.list()).doesNotContain("nst-never-named");
    }

    /**
     * A spare namespace comes with its first veth made ahead, waiting down and on no bridge: a create puts that very
     * link on its bridge (with the network's MTU, on both ends), one on no network removes it, and closing the driver
     * removes a spare's at once. Once a sandbox was plugged, the next spare's veth waits on that bridge (still down,
     * with that network's MTU), and goes to another bridge if the next sandbox is for another network.
     */
    @Test
    void theVethMadeAheadIsPluggedAsItIsOrRemoved() {
        Network c = new Network("c", Fixtures.id(3), "br3", io.nsnet.agent.model.Cidr.parse("10.83.0.0/24"),
                io.nsnet.agent.model.Cidr.parse("10.83.0.0/24").network().plus(1), java.util.Optional.empty(), false,
                true, true, 1400, 3, Fixtures.T0, false, io.nsnet.agent.model.ObjectState.READY);
        rtnl.links().add(LinkSpec.Bridge.named(c.bridge()));
        int[] made = {0};
        try (SandboxDriver ahead = new SandboxDriver(rtnl, host, new LinkRemover(host, 1), false,
                () -> String.format("veth%07x", 0xa0 + made[0]++))) {
            ahead.prepareSpare();
            SandboxDriver.Handle h = ahead.take("nst-never-named");
            String name = h.vethAhead().orElseThrow();
            JsonNode waiting = Observer.link(host.name(), name);
            assertThat(waiting.path("ifalias").asText()).isEqualTo(SandboxDriver.SPARE_ALIAS);
            assertThat(waiting.path("flags").toString()).doesNotContain("\"UP\"");
            assertThat(waiting.has("master")).isFalse();
            try (NewSandboxLinks links = new NewSandboxLinks(ahead, h, Fixtures.id(8), List.of(name), this::bridgeIndex)) {
                links.plug(List.of(c));
                JsonNode plugged = Observer.link(host.name(), name);
                assertThat(plugged.path("ifindex").asInt()).as("the same link").isEqualTo(waiting.path("ifindex").asInt());
                assertThat(plugged.path("master").asText()).isEqualTo(c.bridge());
                assertThat(plugged.path("ifalias").asText()).isEqualTo(SandboxDriver.ALIAS_PREFIX + Fixtures.id(8));
                assertThat(plugged.path("flags").toString()).contains("\"UP\"");
                assertThat(plugged.path("mtu").asInt()).isEqualTo(1400);
                String inside = h.ns().call(() -> Observer.run("ip", "-j", "link", "show", "eth0"));
                assertThat(inside).contains("\"mtu\":1400");
                assertThat(h.vethAhead()).isEmpty();
            }

            ahead.prepareSpare();
            SandboxDriver.Handle second = ahead.take("nst-never-named");
            String onBridge = second.vethAhead().orElseThrow();
            JsonNode aimed = Observer.link(host.name(), onBridge);
            assertThat(aimed.path("master").asText()).as("put ahead on the last sandbox's bridge").isEqualTo(c.bridge());
            assertThat(aimed.path("flags").toString()).doesNotContain("\"UP\"");
            assertThat(aimed.path("mtu").asInt()).isEqualTo(1400);
            assertThat(second.ns().call(() -> Observer.run("ip", "-j", "link", "show", "eth0"))).contains("\"mtu\":1400");
            try (NewSandboxLinks links = new NewSandboxLinks(ahead, second, Fixtures.id(10), List.of(onBridge),
                    this::bridgeIndex)) {
                links.plug(List.of(c));
                JsonNode plugged = Observer.link(host.name(), onBridge);
                assertThat(plugged.path("master").asText()).isEqualTo(c.bridge());
                assertThat(plugged.path("flags").toString()).contains("\"UP\"");
                assertThat(plugged.path("ifalias").asText()).isEqualTo(SandboxDriver.ALIAS_PREFIX + Fixtures.id(10));
            }

            ahead.prepareSpare();
            SandboxDriver.Handle third = ahead.take("nst-never-named");
            String moved = third.vethAhead().orElseThrow();
            assertThat(Observer.link(host.name(), moved).path("master").asText()).isEqualTo(c.bridge());
            try (NewSandboxLinks links = new NewSandboxLinks(ahead, third, Fixtures.id(11), List.of(moved),
                    this::bridgeIndex)) {
                links.plug(List.of(a));
                JsonNode plugged = Observer.link(host.name(), moved);
                assertThat(plugged.path("master").asText()).as("moved to the sandbox's own bridge").isEqualTo(a.bridge());
                assertThat(plugged.path("flags").toString()).contains("\"UP\"");
            }

            ahead.prepareSpare();
            SandboxDriver.Handle none = ahead.take("nst-never-named");
            String unused = none.vethAhead().orElseThrow();
            try (NewSandboxLinks links = new NewSandboxLinks(ahead, none, Fixtures.id(9), List.of(), this::bridgeIndex)) {
                links.plug(List.of());
                assertThat(Observer.linkNames(host.name())).doesNotContain(unused);
            }
            ahead.prepareSpare();
        }
        // One listing: two would race the kernel, which removes the plugged veths with their unnamed namespaces
        // in the background.
        assertThat(Observer.linkNamesWithAlias(host.name(), SandboxDriver.SPARE_ALIAS))
                .as("no veth made ahead is left").isEmpty();
    }

    /** As when the daemon dies before the commit: its descriptors close, and nothing it plugged stays. */
    @Test
    void vethsPluggedIntoANamespaceNeverNamedGoWithIt() throws Exception {
        NewSandboxLinks links = links("veth2c2c2c2");
        links.plug(List.of(a));
        links.close(); // no unplug: only the namespace's last reference goes
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (Observer.linkNames(host.name()).contains("veth2c2c2c2") && System.nanoTime() < deadline) {
            Thread.sleep(20); // the kernel tears a namespace down in the background
        }
        assertThat(Observer.linkNames(host.name())).doesNotContain("veth2c2c2c2");
        assertThat(NetNs.list()).doesNotContain("nst-never-named");
    }
}
