package io.nsnet.agent.ipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nsnet.agent.model.Cidr;
import io.nsnet.agent.model.ConflictException;
import io.nsnet.agent.model.ExhaustedException;
import io.nsnet.agent.model.Fixtures;
import io.nsnet.agent.model.Ipv4;
import io.nsnet.agent.model.Network;
import io.nsnet.agent.model.ObjectState;
import io.nsnet.agent.model.ValidationException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AddressBookTest {

    private static Network net(String subnet, String gateway, String ipRange) {
        Network n = Fixtures.network("net1", subnet, 1);
        return new Network(n.name(), n.id(), n.bridge(), n.subnet(), gateway == null ? n.gateway() : Ipv4.parse(gateway),
                Optional.ofNullable(ipRange).map(Cidr::parse), false, true, true, 1500, 1, n.created(), false, ObjectState.READY);
    }

    @Test
    void firstFreeAddressSkipsTheGateway() {
        AddressBook book = AddressBook.of(net("172.18.0.0/16", null, null), Map.of());
        assertThat(book.allocate("a")).hasToString("172.18.0.2");
        assertThat(book.allocate("b")).hasToString("172.18.0.3");
        assertThat(book.holderOf(Ipv4.parse("172.18.0.3"))).hasValue("b");
    }

    @Test
    void gatewayElsewhereLeavesTheFirstHostFree() {
        AddressBook book = AddressBook.of(net("10.0.0.0/24", "10.0.0.254", null), Map.of());
        assertThat(book.allocate("a")).hasToString("10.0.0.1");
    }

    @Test
    void dynamicAddressesComeFromTheIpRange() {
        AddressBook book = AddressBook.of(net("10.1.0.0/16", null, "10.1.4.0/30"), Map.of());
        // 10.1.4.0 is a valid host of the /16: only the subnet's network/broadcast addresses are excluded.
        assertThat(book.allocate("a")).hasToString("10.1.4.0");
        assertThat(book.allocate("b")).hasToString("10.1.4.1");
        assertThat(book.allocate("c")).hasToString("10.1.4.2");
        assertThat(book.allocate("d")).hasToString("10.1.4.3");
        assertThatThrownBy(() -> book.allocate("e"))
                .isInstanceOf(ExhaustedException.class)
                .hasMessage("no free address in ip-range 10.1.4.0/30 of network net1");
        // Static addresses may still be anywhere in the subnet.
        assertThat(book.reserve(Ipv4.parse("10.1.9.9"), "f")).hasToString("10.1.9.9");
    }

    @Test
    void exhaustionNamesTheSubnetAndNetwork() {
        AddressBook book = AddressBook.of(net("10.0.0.0/30", null, null), Map.of());
        assertThat(book.allocate("a")).hasToString("10.0.0.2");
        assertThatThrownBy(() -> book.allocate("b"))
                .isInstanceOf(ExhaustedException.class)
                .hasMessage("no free address in 10.0.0.0/30 of network net1");
    }

    @Test
    void releasedAddressIsReusedFirst() {
        AddressBook book = AddressBook.of(net("10.0.0.0/24", null, null), Map.of());
        book.allocate("a");
        Ipv4 b = book.allocate("b");
        book.allocate("c");
        book.release(b);
        assertThat(book.holderOf(b)).isEmpty();
        assertThat(book.allocate("d")).isEqualTo(b);
        assertThat(book.allocate("e")).hasToString("10.0.0.5");
    }

    @Test
    void aKnownFirstFreeAddressIsWhereAllocationStartsAndAReleaseBelowItIsStillReusedFirst() {
        Network n = net("10.0.0.0/24", null, null);
        Map<Ipv4, String> held = Map.of(Ipv4.parse("10.0.0.2"), "a", Ipv4.parse("10.0.0.3"), "b",
                Ipv4.parse("10.0.0.5"), "c");
        assertThat(AddressBook.firstFree(n, held, n.subnet().network())).hasValue(Ipv4.parse("10.0.0.4"));
        assertThat(AddressBook.firstFree(n, held, Ipv4.parse("10.0.0.5"))).hasValue(Ipv4.parse("10.0.0.6"));
        AddressBook book = AddressBook.of(n, held, Ipv4.parse("10.0.0.4"));
        assertThat(book.allocate("d")).hasToString("10.0.0.4");
        assertThat(book.allocate("e")).hasToString("10.0.0.6");
        book.release(Ipv4.parse("10.0.0.3"));
        assertThat(book.allocate("f")).hasToString("10.0.0.3");
        // The gateway, the subnet's network and broadcast addresses are never handed out; an ip-range bounds them.
        assertThat(AddressBook.dynamic(n, Ipv4.parse("10.0.0.1"))).isFalse();
        assertThat(AddressBook.dynamic(n, Ipv4.parse("10.0.0.255"))).isFalse();
        assertThat(AddressBook.dynamic(net("10.1.0.0/16", null, "10.1.4.0/30"), Ipv4.parse("10.1.5.1"))).isFalse();
    }

    @Test
    void staticAddressTakenNamesTheHolder() {
        AddressBook book = AddressBook.of(net("10.0.0.0/24", null, null), Map.of(Ipv4.parse("10.0.0.7"), "web"));
        assertThatThrownBy(() -> book.reserve(Ipv4.parse("10.0.0.7"), "db"))
                .isInstanceOf(ConflictException.class)
                .hasMessage("ip \"10.0.0.7\": already in use by sandbox web on network net1");
        assertThatThrownBy(() -> book.reserve(Ipv4.parse("10.0.0.1"), "db"))
                .isInstanceOf(ValidationException.class)
                .hasMessage("ip \"10.0.0.1\": is the gateway of network net1");
        assertThat(book.reserve(Ipv4.parse("10.0.0.2"), "db")).hasToString("10.0.0.2");
        // A static address is then skipped by dynamic allocation.
        assertThat(book.allocate("x")).hasToString("10.0.0.3");
    }

    @Test
    void buildsFromStoredSandboxes() {
        Network n = net("10.0.0.0/24", null, null);
        var s1 = Fixtures.sandbox("s1", 1, List.of(Fixtures.endpoint("net1", 0, "10.0.0.2")), List.of());
        var s2 = Fixtures.sandbox("s2", 2, List.of(Fixtures.endpoint("other", 0, "10.0.0.3"),
                Fixtures.endpoint("net1", 1, "10.0.0.4")), List.of());
        AddressBook book = AddressBook.of(n, List.of(s1, s2));
        assertThat(book.holderOf(Ipv4.parse("10.0.0.2"))).hasValue("s1");
        assertThat(book.holderOf(Ipv4.parse("10.0.0.3"))).isEmpty();
        assertThat(book.holderOf(Ipv4.parse("10.0.0.4"))).hasValue("s2");
        assertThat(book.allocate("s3")).hasToString("10.0.0.3");
    }
}
