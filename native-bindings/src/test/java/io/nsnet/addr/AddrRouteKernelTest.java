package io.nsnet.addr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.nsnet.link.LinkSpec;
import io.nsnet.netlink.NetlinkException;
import io.nsnet.netlink.Nl;
import io.nsnet.netns.NetNs;
import io.nsnet.route.Route;
import io.nsnet.rtnl.Rtnl;
import io.nsnet.testing.Observer;
import io.nsnet.testing.ThrowawayNetns;

@Tag("kernel")
class AddrRouteKernelTest {
    private ThrowawayNetns namespaces;
    private NetNs ns;
    private Rtnl rtnl;
    private int br;

    @BeforeEach
    void setUp() {
        namespaces = new ThrowawayNetns();
        ns = namespaces.create("addr");
        rtnl = Rtnl.open(ns);
        rtnl.links().add(LinkSpec.Bridge.named("nstbr0"));
        br = rtnl.links().get("nstbr0").index();
        rtnl.links().setUp(br);
    }

    @AfterEach
    void tearDown() {
        rtnl.close();
        namespaces.close();
    }

    private List<String> observedAddresses() {
        List<String> out = new ArrayList<>();
        for (JsonNode l : Observer.ipJson(ns.name(), "addr", "show", "dev", "nstbr0")) {
            for (JsonNode a : l.path("addr_info")) {
                out.add(a.path("local").asText() + "/" + a.path("prefixlen").asInt());
            }
        }
        return out;
    }

    @Test
    void ipv4AndIpv6AddressesAddListDelete() {
        IpPrefix v4 = IpPrefix.parse("10.99.0.1/24");
        IpPrefix v6 = IpPrefix.parse("fd00:99::1/64");
        rtnl.addresses().add(br, v4);
        rtnl.addresses().add(br, v6);
        assertThat(observedAddresses()).contains("10.99.0.1/24", "fd00:99::1/64");
        JsonNode v4seen = Observer.ipJson(ns.name(), "-4", "addr", "show", "dev", "nstbr0").get(0)
                .path("addr_info").get(0);
        assertThat(v4seen.path("broadcast").asText()).isEqualTo("10.99.0.255");

        assertThat(rtnl.addresses().list(Nl.AF_UNSPEC, br)).extracting(a -> a.prefix().toString())
                .contains("10.99.0.1/24", "fd00:99:0:0:0:0:0:1/64");

        assertThatThrownBy(() -> rtnl.addresses().add(br, v4)).isInstanceOf(NetlinkException.AlreadyExistsException.class);

        rtnl.addresses().delete(br, v4);
        rtnl.addresses().delete(br, v6);
        assertThat(observedAddresses()).doesNotContain("10.99.0.1/24", "fd00:99::1/64");
        assertThat(rtnl.addresses().list(Nl.AF_INET, br)).isEmpty();
    }

    @Test
    void batchAppliesInOrderAndReportsTheFirstFailureAfterTheRest() {
        rtnl.links().add(LinkSpec.Bridge.named("nstbr1"));
        int br1 = rtnl.links().get("nstbr1").index();
        // Up, address, then a default route that needs the address's connected route: order matters.
        rtnl.batch().linkUp(br1).addAddress(br1, IpPrefix.parse("10.98.0.2/24"))
                .addRoute(Route.defaultVia(IpPrefix.literal("10.98.0.1"), br1)).send();
        assertThat(Observer.link(ns.name(), "nstbr1").get("flags").toString()).contains("\"UP\"");
        assertThat(Observer.run("ip", "-n", ns.name(), "-4", "route", "show", "default")).contains("via 10.98.0.1 dev nstbr1");

        // A failing change in the middle does not stop the next one; the error names the failed one.
        assertThatThrownBy(() -> rtnl.batch().addAddress(br1, IpPrefix.parse("10.98.0.2/24"))
                .addAddress(br1, IpPrefix.parse("10.98.0.3/24")).send())
                .isInstanceOf(NetlinkException.class).hasMessageContaining("add address 10.98.0.2/24");
        assertThat(Observer.run("ip", "-n", ns.name(), "-4", "addr", "show", "dev", "nstbr1")).contains("10.98.0.3/24");
        // The socket is still in step: a plain request afterwards gets its own answer.
        rtnl.links().setDown(br1);
        assertThat(Observer.link(ns.name(), "nstbr1").get("flags").toString()).doesNotContain("\"UP\"");
    }

    @Test
    void routesIncludingDefaultViaGateway() {
        rtnl.addresses().add(br, IpPrefix.parse("10.99.0.2/24"));
        var gw = IpPrefix.literal("10.99.0.1");
        rtnl.routes().add(Route.defaultVia(gw, br));
        rtnl.routes().add(Route.via(IpPrefix.parse("192.0.2.0/24"), IpPrefix.literal("10.99.0.254"), br));

        JsonNode routes = Observer.ipJson(ns.name(), "route", "show");
        List<String> seen = new ArrayList<>();
        routes.forEach(r -> seen.add(r.path("dst").asText() + " " + r.path("gateway").asText("") + " " + r.path("dev").asText()));
        assertThat(seen).contains("default 10.99.0.1 nstbr0", "192.0.2.0/24 10.99.0.254 nstbr0", "10.99.0.0/24  nstbr0");

        List<Route> listed = rtnl.routes().list(Nl.AF_INET);
        assertThat(listed).anySatisfy(r -> {
            assertThat(r.isDefault()).isTrue();
            assertThat(r.gateway()).isEqualTo(gw);
            assertThat(r.linkIndex()).isEqualTo(br);
        });
        assertThat(listed).anySatisfy(r -> assertThat(String.valueOf(r.destination())).isEqualTo("10.99.0.0/24"));

        rtnl.routes().delete(Route.defaultVia(gw, br));
        assertThat(Observer.ipJson(ns.name(), "route", "show").toString()).doesNotContain("\"default\"");
        assertThatThrownBy(() -> rtnl.routes().delete(Route.defaultVia(gw, br)))
                .isInstanceOf(NetlinkException.class);
    }
}
