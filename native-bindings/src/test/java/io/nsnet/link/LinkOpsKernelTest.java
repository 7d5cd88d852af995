package io.nsnet.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.nsnet.libc.Errno;
import io.nsnet.netlink.NetlinkException;
import io.nsnet.netns.NetNs;
import io.nsnet.rtnl.Rtnl;
import io.nsnet.testing.Observer;
import io.nsnet.testing.ThrowawayNetns;

@Tag("kernel")
class LinkOpsKernelTest {
    private ThrowawayNetns namespaces;
    private NetNs host;
    private Rtnl rtnl;

    @BeforeEach
    void setUp() {
        namespaces = new ThrowawayNetns();
        host = namespaces.create("link");
        rtnl = Rtnl.open(host);
    }

    @AfterEach
    void tearDown() {
        if (rtnl != null) {
            rtnl.close();
        }
        namespaces.close();
    }

    @Test
    void createsBridgeWithMtuMacAndStpOff() {
        MacAddress mac = MacAddress.parse("02:42:0a:00:00:01");
        rtnl.links().add(new LinkSpec.Bridge("nstbr0", 1400, mac));

        JsonNode br = Observer.link(host.name(), "nstbr0");
        assertThat(br).isNotNull();
        assertThat(br.path("linkinfo").path("info_kind").asText()).isEqualTo("bridge");
        assertThat(br.path("linkinfo").path("info_data").path("stp_state").asInt()).isZero();
        assertThat(br.path("mtu").asInt()).isEqualTo(1400);
        assertThat(br.path("address").asText()).isEqualTo("02:42:0a:00:00:01");

        Link got = rtnl.links().get("nstbr0");
        assertThat(got.kind()).isEqualTo(new LinkKind.Bridge());
        assertThat(got.mtu()).isEqualTo(1400);
        assertThat(got.mac()).isEqualTo(mac);
        assertThat(got.index()).isEqualTo(br.path("ifindex").asInt());
        assertThat(rtnl.links().get(got.index()).name()).isEqualTo("nstbr0");
    }

    @Test
    void creatingTwiceIsATypedExistsError() {
        rtnl.links().add(LinkSpec.Bridge.named("nstbr0"));
        assertThatThrownBy(() -> rtnl.links().add(LinkSpec.Bridge.named("nstbr0")))
                .isInstanceOf(NetlinkException.AlreadyExistsException.class)
                .satisfies(e -> assertThat(((NetlinkException) e).errno()).isEqualTo(Errno.EEXIST))
                .hasMessageContaining("EEXIST");
    }

    @Test
    void deletingAMissingLinkIsENODEV() {
        assertThatThrownBy(() -> rtnl.links().delete("nst-missing"))
                .isInstanceOf(NetlinkException.NotFoundException.class)
                .satisfies(e -> assertThat(((NetlinkException) e).errno()).isEqualTo(Errno.ENODEV));
        assertThat(rtnl.links().find("nst-missing")).isEmpty();
    }

    @Test
    void unknownKindCarriesTheKernelsExtendedAck() {
        // No "dummy" driver on this kernel: the kernel answers EOPNOTSUPP with an ext-ack text.
        var msg = new io.nsnet.netlink.NlMsgBuilder(io.nsnet.netlink.Nl.RTM_NEWLINK,
                io.nsnet.netlink.Nl.NLM_F_CREATE | io.nsnet.netlink.Nl.NLM_F_EXCL)
                .ifinfomsg(0, 0, 0, 0).attrString(io.nsnet.netlink.Nl.IFLA_IFNAME, "nstx0")
                .beginNested(io.nsnet.netlink.Nl.IFLA_LINKINFO)
                .attrString(io.nsnet.netlink.Nl.IFLA_INFO_KIND, "nst-no-such-kind").endNested();
        try (var sock = host.call(io.nsnet.netlink.NetlinkSocket::open)) {
            assertThatThrownBy(() -> sock.request(msg, "create"))
                    .isInstanceOf(NetlinkException.class)
                    .satisfies(e -> assertThat(((NetlinkException) e).extAck()).isEqualTo("Unknown device type"));
        }
    }

    @Test
    void nameOverFifteenBytesIsRefusedBeforeTheKernel() {
        assertThatThrownBy(() -> rtnl.links().add(LinkSpec.Bridge.named("nst-sixteen-byte")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 15");
        assertThat(Observer.linkNames(host.name())).containsExactly("lo");
    }

    @Test
    void vethPeerIsCreatedInAnotherNamespaceUnderItsFinalName() {
        NetNs other = namespaces.create("peer");
        rtnl.links().add(LinkSpec.Bridge.named("nstbr0"));
        int br = rtnl.links().get("nstbr0").index();
        rtnl.links().add(LinkSpec.Veth.pair("vethnst0", "eth0", other).withMaster(br).withUp(true));
        try (Rtnl peerRtnl = Rtnl.open(other)) {
            peerRtnl.links().setUp(peerRtnl.links().get("eth0").index());
        }

        JsonNode hostEnd = Observer.link(host.name(), "vethnst0");
        assertThat(hostEnd.path("master").asText()).isEqualTo("nstbr0");
        assertThat(hostEnd.path("flags").toString()).contains("UP");
        JsonNode peer = Observer.link(other.name(), "eth0");
        assertThat(peer).as("peer created as eth0 in the other namespace").isNotNull();
        assertThat(peer.path("flags").toString()).contains("\"UP\"");
        assertThat(Observer.linkNames(host.name())).doesNotContain("eth0");

        Link listed = rtnl.links().list().stream().filter(l -> l.name().equals("vethnst0")).findFirst().orElseThrow();
        assertThat(listed.kind()).isEqualTo(new LinkKind.Veth());
        assertThat(listed.masterIndex()).isEqualTo(br);
        assertThat(listed.linkNetnsId()).isGreaterThanOrEqualTo(0);
        assertThat(listed.isUp()).isTrue();
    }

    @Test
    void addAndGetReturnsTheNewLinkAndItsPeersIndex() {
        NetNs other = namespaces.create("peer");
        Link made = rtnl.links().addAndGet(LinkSpec.Veth.pair("vethnst2", "eth0", other).withUp(true));
        JsonNode hostEnd = Observer.link(host.name(), "vethnst2");
        JsonNode peer = Observer.link(other.name(), "eth0");
        assertThat(made.name()).isEqualTo("vethnst2");
        assertThat(made.index()).isEqualTo(hostEnd.path("ifindex").asInt());
        assertThat(made.peerIndex()).isEqualTo(peer.path("ifindex").asInt());
        assertThat(made.kind()).isEqualTo(new LinkKind.Veth());
    }

    @Test
    void vethQueuesAreSetOnBothEndsOrLeftToTheKernel() {
        NetNs other = namespaces.create("peer");
        rtnl.links().add(LinkSpec.Veth.pair("vethnst4", "eth0", other).withQueues(1));
        rtnl.links().add(LinkSpec.Veth.pair("vethnst5", "eth1", other));
        for (JsonNode one : java.util.List.of(Observer.link(host.name(), "vethnst4"), Observer.link(other.name(), "eth0"))) {
            assertThat(one.path("num_tx_queues").asInt()).isEqualTo(1);
            assertThat(one.path("num_rx_queues").asInt()).isEqualTo(1);
        }
        // Without it the kernel allocates one queue per possible CPU (and keeps one active).
        int possible = Observer.possibleCpus();
        assertThat(Observer.link(host.name(), "vethnst5").path("num_tx_queues").asInt()).isEqualTo(possible);
        assertThat(Observer.link(other.name(), "eth1").path("num_rx_queues").asInt()).isEqualTo(possible);
    }

    /** The host end of a sandbox's veth is marked and set up in one write, in order: alias, hairpin, up. */
    @Test
    void aliasHairpinAndUpInOneBatch() {
        NetNs other = namespaces.create("peer");
        rtnl.links().add(LinkSpec.Bridge.named("nstbr0"));
        int br = rtnl.links().get("nstbr0").index();
        Link v = rtnl.links().addAndGet(LinkSpec.Veth.pair("vethnst3", "eth0", other).withMaster(br));
        rtnl.batch().setAlias(v.index(), "nsnet:batch").setHairpin(v.index(), true).linkUp(v.index()).send();
        JsonNode seen = Observer.link(host.name(), "vethnst3");
        assertThat(seen.path("ifalias").asText()).isEqualTo("nsnet:batch");
        assertThat(seen.path("linkinfo").path("info_slave_data").path("hairpin").asBoolean()).isTrue();
        assertThat(seen.path("flags").toString()).contains("\"UP\"");
    }

    /** A bridge port needs no IPv6 of its own: with generation mode none it comes up without a link-local address. */
    @Test
    void addrGenModeNoneBringsALinkUpWithoutAnIpv6LinkLocalAddress() {
        Link v = rtnl.links().addAndGet(LinkSpec.Veth.pair("vethnst4", "vethnst5", null));
        rtnl.batch().setIpv6AddrGenMode(v.index(), Ipv6AddrGenMode.NONE).linkUp(v.index())
                .linkUp(rtnl.links().get("vethnst5").index()).send();
        assertThat(Observer.run("ip", "-n", host.name(), "-d", "link", "show", "vethnst4")).contains("addrgenmode none");
        assertThat(Observer.run("ip", "-n", host.name(), "-6", "addr", "show", "dev", "vethnst4")).doesNotContain("fe80");
        assertThat(Observer.run("ip", "-n", host.name(), "-6", "route", "show", "dev", "vethnst4")).doesNotContain("fe80");
        // The other end, left to the default, gets one: the mode is per link.
        assertThat(Observer.run("ip", "-n", host.name(), "-6", "addr", "show", "dev", "vethnst5")).contains("fe80");
    }

    /** A link made ahead is put on its bridge, with its MTU, in the one write that brings it up. */
    @Test
    void batchSetsMasterAndMtuBeforeUp() {
        rtnl.links().add(LinkSpec.Bridge.named("nstbr9"));
        Link v = rtnl.links().addAndGet(LinkSpec.Veth.pair("vethnst8", "vethnst9", null));
        rtnl.batch().setMtu(v.index(), 1400).setMaster(v.index(), rtnl.links().get("nstbr9").index())
                .linkUp(v.index()).send();
        var seen = Observer.link(host.name(), "vethnst8");
        assertThat(seen.path("master").asText()).isEqualTo("nstbr9");
        assertThat(seen.path("mtu").asInt()).isEqualTo(1400);
        assertThat(seen.path("flags").toString()).contains("\"UP\"");
        assertThatThrownBy(() -> rtnl.batch().setMtu(v.index(), 67)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("68-65535");
    }

    /** The MAC goes on before the link comes up, in the one change: it never runs with the random one. */
    @Test
    void linkUpWithMacSetsTheAddressAndUp() {
        Link v = rtnl.links().addAndGet(LinkSpec.Veth.pair("vethnst6", "vethnst7", null));
        rtnl.batch().linkUp(v.index(), MacAddress.parse("02:42:0a:00:00:07")).send();
        var seen = Observer.link(host.name(), "vethnst6");
        assertThat(seen.path("address").asText()).isEqualTo("02:42:0a:00:00:07");
        assertThat(seen.path("flags").toString()).contains("\"UP\"");
    }

    @Test
    void upDownMasterMtuMacAndHairpin() {
        NetNs other = namespaces.create("peer");
        rtnl.links().add(LinkSpec.Bridge.named("nstbr0"));
        rtnl.links().add(LinkSpec.Veth.pair("vethnst1", "eth0", other));
        Link br = rtnl.links().get("nstbr0");
        Link v = rtnl.links().get("vethnst1");
        assertThat(v.isUp()).isFalse();

        rtnl.links().setUp(v.index());
        assertThat(Observer.link(host.name(), "vethnst1").path("flags").toString()).contains("\"UP\"");
        rtnl.links().setDown(v.index());
        assertThat(Observer.link(host.name(), "vethnst1").path("flags").toString()).doesNotContain("\"UP\"");

        rtnl.links().setMaster(v.index(), br.index());
        assertThat(Observer.link(host.name(), "vethnst1").path("master").asText()).isEqualTo("nstbr0");
        rtnl.links().setHairpin(v.index(), true);
        assertThat(Observer.link(host.name(), "vethnst1").path("linkinfo").path("info_slave_data")
                .path("hairpin").asBoolean()).isTrue();
        rtnl.links().setHairpin(v.index(), false);
        assertThat(Observer.link(host.name(), "vethnst1").path("linkinfo").path("info_slave_data")
                .path("hairpin").asBoolean()).isFalse();
        rtnl.links().setNoMaster(v.index());
        assertThat(Observer.link(host.name(), "vethnst1").has("master")).isFalse();

        rtnl.links().setAlias(v.index(), "nsnet:test");
        assertThat(Observer.link(host.name(), "vethnst1").path("ifalias").asText()).isEqualTo("nsnet:test");
        assertThat(rtnl.links().get(v.index()).alias()).isEqualTo("nsnet:test");

        rtnl.links().setMtu(v.index(), 1300);
        rtnl.links().setMac(v.index(), MacAddress.parse("02:42:ac:11:00:09"));
        JsonNode seen = Observer.link(host.name(), "vethnst1");
        assertThat(seen.path("mtu").asInt()).isEqualTo(1300);
        assertThat(seen.path("address").asText()).isEqualTo("02:42:ac:11:00:09");

        rtnl.links().delete(v.index());
        assertThat(Observer.linkNames(host.name())).doesNotContain("vethnst1");
        assertThat(Observer.linkNames(other.name())).doesNotContain("eth0");
    }
}
