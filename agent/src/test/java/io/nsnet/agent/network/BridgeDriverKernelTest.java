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
        bridges = new BridgeDriver(rtnl, remover);
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
    }

    @Test
    void aNameTakenByAnotherLinkIsRefusedAndTheLinkLeftAlone() {
        Observer.run("ip", "-n", host.name(), "link", "add", "nstbrd1", "type", "bridge");
        assertThatThrownBy(() -> bridges.create(network("nstbrd1", 2))).isInstanceOf(ConflictException.class)
                .hasMessageContaining("nstbrd1");
        var br = Observer.link(host.name(), "nstbrd1");
        assertThat(br.path("ifalias").asText()).isEmpty();
        assertThat(Observer.run("ip", "-n", host.name(), "-4", "addr", "show", "nstbrd1")).doesNotContain("10.66.0.1");
    }

    @Test
    void aBridgeAlreadyMarkedForThisNetworkIsAdopted() {
        // What a create cut short by a crash leaves: the bridge exists with the mark, but no address and down.
        Observer.run("ip", "-n", host.name(), "link", "add", "nstbrd2", "type", "bridge");
        Observer.run("ip", "-n", host.name(), "link", "set", "nstbrd2", "alias", BridgeDriver.ALIAS_PREFIX + Fixtures.id(3));
        bridges.create(network("nstbrd2", 3));
        assertThat(Observer.link(host.name(), "nstbrd2").path("flags").toString()).contains("\"UP\"");
        assertThat(Observer.run("ip", "-n", host.name(), "-4", "addr", "show", "nstbrd2")).contains("10.66.0.1/24");
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
