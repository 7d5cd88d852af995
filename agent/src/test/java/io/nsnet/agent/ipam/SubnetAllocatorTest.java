package io.nsnet.agent.ipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nsnet.agent.model.Cidr;
import io.nsnet.agent.model.ConflictException;
import io.nsnet.agent.model.ExhaustedException;
import io.nsnet.agent.model.Fixtures;
import io.nsnet.agent.model.Ipv4;
import io.nsnet.agent.model.Network;
import io.nsnet.agent.model.ValidationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SubnetAllocatorTest {

    private final SubnetAllocator ipam = new SubnetAllocator();

    /** Existing networks plus the last pool index, threaded through allocations as the daemon does via the store. */
    private final List<Network> networks = new ArrayList<>();
    private int last = -1;

    private Cidr create(String name) {
        SubnetAllocation a = ipam.allocate(SubnetRequest.any(name), networks, List.of(), last);
        last = a.poolIndex().orElseThrow();
        networks.add(new Network(name, Fixtures.id(networks.size() + 1), "br" + networks.size(), a.subnet(), a.gateway(),
                a.ipRange(), false, true, true, 1500, networks.size(), Fixtures.T0, false, io.nsnet.agent.model.ObjectState.READY));
        return a.subnet();
    }

    private void delete(String name) {
        networks.removeIf(n -> n.name().equals(name));
    }

    @Test
    void poolsAreDockersInDockersOrder() {
        List<Cidr> pools = DefaultPools.docker();
        assertThat(pools).hasSize(31);
        assertThat(pools.get(0)).hasToString("172.17.0.0/16");
        assertThat(pools.get(14)).hasToString("172.31.0.0/16");
        assertThat(pools.get(15)).hasToString("192.168.0.0/20");
        assertThat(pools.get(16)).hasToString("192.168.16.0/20");
        assertThat(pools.get(30)).hasToString("192.168.240.0/20");
    }

    @Test
    void firstNetworksGetTheDefaultsInOrderWithTheFirstHostAsGateway() {
        SubnetAllocation a = ipam.allocate(SubnetRequest.any("nsnet0"), List.of(), List.of(), -1);
        assertThat(a.subnet()).hasToString("172.17.0.0/16");
        assertThat(a.gateway()).hasToString("172.17.0.1");
        assertThat(a.poolIndex()).hasValue(0);
        assertThat(create("nsnet0")).hasToString("172.17.0.0/16");
        assertThat(create("mynet")).hasToString("172.18.0.0/16");
        assertThat(create("mynet2")).hasToString("172.19.0.0/16");
    }

    @Test
    void skipsPoolsOverlappingHostRoutesButNotTheDefaultRoute() {
        List<Cidr> routes = List.of(Cidr.parse("0.0.0.0/0"), Cidr.parse("172.17.0.0/16"), Cidr.parse("172.16.0.0/13"),
                Cidr.parse("172.24.5.0/24"));
        // 172.16.0.0/13 covers 172.16-172.23; 172.24.5.0/24 sits inside 172.24.0.0/16.
        SubnetAllocation a = ipam.allocate(SubnetRequest.any("n"), List.of(), routes, -1);
        assertThat(a.subnet()).hasToString("172.25.0.0/16");
        assertThat(a.poolIndex()).hasValue(8);
    }

    @Test
    void skipsPoolsOverlappingExistingNetworks() {
        List<Network> existing = List.of(Fixtures.network("a", "172.17.0.0/16", 1), Fixtures.network("b", "172.18.3.0/24", 2),
                Fixtures.network("c", "172.16.0.0/12", 3));
        // 172.16.0.0/12 covers all of 172.16-172.31: the first free default is 192.168.0.0/20.
        assertThat(ipam.allocate(SubnetRequest.any("n"), existing, List.of(), -1).subnet()).hasToString("192.168.0.0/20");
    }

    @Test
    void resumesAfterTheLastAllocatedPoolBeforeReusingFreedOnes() {
        create("nsnet0");
        for (int i = 1; i <= 5; i++) {
            create("n" + i);
        }
        assertThat(networks.get(5).subnet()).hasToString("172.22.0.0/16");
        delete("n1");
        // Like Docker: 172.18 was freed, but the allocator continues after 172.22.
        assertThat(create("n6")).hasToString("172.23.0.0/16");
        // Fill everything up to the last pool, then wrap around to the freed 172.18.
        for (int i = 7; i <= 30; i++) {
            create("n" + i);
        }
        assertThat(networks.get(networks.size() - 1).subnet()).hasToString("192.168.240.0/20");
        assertThat(create("n31")).hasToString("172.18.0.0/16");
    }

    @Test
    void the31stNetworkFailsWithDockersMessage() {
        for (int i = 0; i < 31; i++) {
            create("n" + i);
        }
        assertThatThrownBy(() -> create("one-too-many"))
                .isInstanceOf(ExhaustedException.class)
                .hasMessage("could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network");
    }

    @Test
    void outOfRangeLastIndexStartsFromTheBeginning() {
        assertThat(ipam.allocate(SubnetRequest.any("n"), List.of(), List.of(), 99).subnet()).hasToString("172.17.0.0/16");
    }

    @Test
    void explicitSubnetDefaultsGatewayToFirstHostAndIgnoresHostRoutes() {
        SubnetAllocation a = ipam.allocate(SubnetRequest.of("n", Cidr.parse("10.50.0.0/24")), networks,
                List.of(Cidr.parse("10.0.0.0/8")), 4);
        assertThat(a.subnet()).hasToString("10.50.0.0/24");
        assertThat(a.gateway()).hasToString("10.50.0.1");
        assertThat(a.ipRange()).isEmpty();
        assertThat(a.poolIndex()).isEmpty();
    }

    @Test
    void explicitSubnetOverlappingANetworkNamesIt() {
        List<Network> existing = List.of(Fixtures.network("mynet", "10.50.0.0/16", 1));
        assertThatThrownBy(() -> ipam.allocate(SubnetRequest.of("n", Cidr.parse("10.50.7.0/24")), existing, List.of(), -1))
                .isInstanceOf(ConflictException.class)
                .hasMessage("subnet \"10.50.7.0/24\": overlaps subnet 10.50.0.0/16 of network mynet");
    }

    @Test
    void explicitGatewayAndIpRange() {
        SubnetRequest r = new SubnetRequest("n", Optional.of(Cidr.parse("10.1.0.0/16")), Optional.of(Ipv4.parse("10.1.255.254")),
                Optional.of(Cidr.parse("10.1.4.0/24")));
        SubnetAllocation a = ipam.allocate(r, List.of(), List.of(), -1);
        assertThat(a.gateway()).hasToString("10.1.255.254");
        assertThat(a.ipRange()).hasValue(Cidr.parse("10.1.4.0/24"));
    }

    @Test
    void badGatewayOrIpRangeIsAValidationError() {
        SubnetRequest gw = new SubnetRequest("n", Optional.of(Cidr.parse("10.1.0.0/16")), Optional.of(Ipv4.parse("10.2.0.1")),
                Optional.empty());
        assertThatThrownBy(() -> ipam.allocate(gw, List.of(), List.of(), -1))
                .isInstanceOf(ValidationException.class).hasMessage("gateway \"10.2.0.1\": not inside subnet 10.1.0.0/16");
        SubnetRequest range = new SubnetRequest("n", Optional.of(Cidr.parse("10.1.0.0/16")), Optional.empty(),
                Optional.of(Cidr.parse("10.2.0.0/24")));
        assertThatThrownBy(() -> ipam.allocate(range, List.of(), List.of(), -1))
                .isInstanceOf(ValidationException.class).hasMessage("ip-range \"10.2.0.0/24\": not inside subnet 10.1.0.0/16");
        assertThatThrownBy(() -> new SubnetRequest("n", Optional.empty(), Optional.of(Ipv4.parse("10.0.0.1")), Optional.empty()))
                .isInstanceOf(ValidationException.class).hasMessage("gateway \"10.0.0.1\": needs an explicit subnet");
        assertThatThrownBy(() -> ipam.allocate(SubnetRequest.of("n", Cidr.parse("10.0.0.0/31")), List.of(), List.of(), -1))
                .isInstanceOf(ValidationException.class).hasMessageContaining("leaves no room");
    }
}
