package io.nsnet.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

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
