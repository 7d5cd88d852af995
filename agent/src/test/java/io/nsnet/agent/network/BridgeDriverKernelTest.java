package io.nsnet.agent.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nsnet.agent.model.Cidr;
import io.nsnet.agent.model.ConflictException;
import io.nsnet.agent.model.Fixtures;
import io.nsnet.agent.model.Network;
import io.nsnet.agent.model.ObjectState;
import io.nsnet.link.LinkRemover;
import io.nsnet.netns.NetNs;
import io.nsnet.rtnl.Rtnl;
import io.nsnet.sysctl.Sysctls;
import io.nsnet.testing.Observer;
import io.nsnet.testing.ThrowawayNetns;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A new network's bridge made with one exclusive create, against the kernel in a throwaway namespace. */
@Tag("kernel")
class BridgeDriverKernelTest {
    private ThrowawayNetns namespaces;
    private NetNs host;
    private Rtnl rtnl;
    private LinkRemover remover;
    private BridgeDriver bridges;

    @BeforeEach
    void setUp() {
        namespaces = new ThrowawayNetns();
        host = namespaces.create("brd");
        rtnl = Rtnl.open(host);
        remover = new LinkRemover(host, 1);
        bridges = new BridgeDriver(rtnl, new Sysctls(host), remover);
    }

    @AfterEach
    void tearDown() {
        remover.close();
        rtnl.close();
        namespaces.close();
    }

    private static Network network(String bridge, int id) {
        Cidr subnet = Cidr.parse("10.66.0.0/24");
        return new Network("n" + id, Fixtures.id(id), bridge, subnet, subnet.network().plus(1), Optional.empty(), false,
                true, true, 1500, id, Fixtures.T0, false, ObjectState.READY);
    }

    @Test
    void createMakesTheBridgeMarkedAddressedAndUp() {
        bridges.create(network("nstbrd0", 1));
        var br = Observer.link(host.name(), "nstbrd0");
        assertThat(br.path("ifalias").asText()).isEqualTo(BridgeDriver.ALIAS_PREFIX + Fixtures.id(1));
        assertThat(br.path("flags").toString()).contains("\"UP\"");
        assertThat(Observer.run("ip", "-n", host.name(), "-4", "addr", "show", "nstbrd0")).contains("10.66.0.1/24");
        // IPv4 only: no link-local address, and no IPv6 routes for the host's table to carry.
        assertThat(ipv6Disabled("nstbrd0")).isEqualTo("1");
        assertThat(Observer.run("ip", "-n", host.name(), "-6", "addr", "show", "dev", "nstbrd0")).isBlank();
        assertThat(Observer.run("ip", "-n", host.name(), "-6", "route", "show", "table", "all", "dev", "nstbrd0")).isBlank();
    }

    private String ipv6Disabled(String link) {
        return Observer.run("ip", "netns", "exec", host.name(), "cat", "/proc/sys/net/ipv6/conf/" + link + "/disable_ipv6")
                .strip();
    }

    @Test
    void aNameTakenByAnotherLinkIsRefusedAndTheLinkLeftAlone() {
        Observer.run("ip", "-n", host.name(), "link", "add", "nstbrd1", "type", "bridge");
        assertThatThrownBy(() -> bridges.create(network("nstbrd1", 2))).isInstanceOf(ConflictException.class)
                .hasMessageContaining("nstbrd1");
        var br = Observer.link(host.name(), "nstbrd1");
        assertThat(br.path("ifalias").asText()).isEmpty();
        assertThat(Observer.run("ip", "-n", host.name(), "-4", "addr", "show", "nstbrd1")).doesNotContain("10.66.0.1");
        assertThat(ipv6Disabled("nstbrd1")).isEqualTo("0");
    }

    @Test
    void aBridgeAlreadyMarkedForThisNetworkIsAdopted() {
        // What a create cut short by a crash leaves: the bridge exists with the mark, but no address and down.
        Observer.run("ip", "-n", host.name(), "link", "add", "nstbrd2", "type", "bridge");
        Observer.run("ip", "-n", host.name(), "link", "set", "nstbrd2", "alias", BridgeDriver.ALIAS_PREFIX + Fixtures.id(3));
        bridges.create(network("nstbrd2", 3));
        assertThat(Observer.link(host.name(), "nstbrd2").path("flags").toString()).contains("\"UP\"");
        assertThat(Observer.run("ip", "-n", host.name(), "-4", "addr", "show", "nstbrd2")).contains("10.66.0.1/24");
        assertThat(ipv6Disabled("nstbrd2")).isEqualTo("1");
    }

    @Test
    void aRollbackDeletesOnlyABridgeMarkedForThisNetwork() {
        Observer.run("ip", "-n", host.name(), "link", "add", "nstbrd3", "type", "bridge");
        assertThatThrownBy(() -> bridges.create(network("nstbrd3", 4))).isInstanceOf(ConflictException.class);
        // What the engine's rollback then does: the refused name belongs to someone else and stays.
        assertThat(bridges.deleteIfMarked(network("nstbrd3", 4))).isFalse();
        assertThat(Observer.link(host.name(), "nstbrd3")).isNotNull();

        bridges.create(network("nstbrd4", 5));
        assertThat(bridges.deleteIfMarked(network("nstbrd4", 6))).isFalse(); // another network's mark
        assertThat(bridges.deleteIfMarked(network("nstbrd4", 5))).isTrue();
        assertThat(Observer.link(host.name(), "nstbrd4")).isNull();
        assertThat(bridges.deleteIfMarked(network("nstbrd4", 5))).isFalse();
    }
}
