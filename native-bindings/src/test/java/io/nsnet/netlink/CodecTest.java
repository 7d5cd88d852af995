package io.nsnet.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.nsnet.addr.AddrMessages;
import io.nsnet.addr.Address;
import io.nsnet.addr.IpPrefix;
import io.nsnet.link.Link;
import io.nsnet.link.LinkKind;
import io.nsnet.link.LinkMessages;
import io.nsnet.link.LinkSpec;
import io.nsnet.link.MacAddress;
import io.nsnet.route.Route;
import io.nsnet.route.RouteMessages;

/** Byte-exact fixtures of the rtnetlink codec (little-endian hosts: x86_64, arm64). No root needed. */
class CodecTest {
    private static final HexFormat HEX = HexFormat.of();

    @BeforeAll
    static void littleEndianOnly() {
        org.junit.jupiter.api.Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] hex(String spaced) {
        return HEX.parseHex(spaced.replaceAll("[\\s|]", ""));
    }

    private static ByteBuffer buf(String spaced) {
        return ByteBuffer.wrap(hex(spaced)).order(ByteOrder.nativeOrder());
    }

    @Test
    void bridgeCreateRequest() {
        byte[] wire = LinkMessages.create(new LinkSpec.Bridge("br0", 1400, null)).toBytes(1);
        assertThat(HEX.formatHex(wire)).isEqualTo(HEX.formatHex(hex(
                "4c000000 1000 0006 01000000 00000000"          // nlmsghdr: len 76, RTM_NEWLINK, CREATE|EXCL, seq 1
                + "00 00 0000 00000000 00000000 00000000"       // ifinfomsg
                + "0800 0300 62723000"                          // IFLA_IFNAME "br0\0"
                + "0800 0400 78050000"                          // IFLA_MTU 1400
                + "1c00 1280"                                   // IFLA_LINKINFO (nested), 28 bytes
                + "  0b00 0100 62726964676500 00"               //   IFLA_INFO_KIND "bridge\0" + 1 pad byte
                + "  0c00 0280 0800 0500 00000000")));          //   IFLA_INFO_DATA { IFLA_BR_STP_STATE 0 }
    }

    @Test
    void vethCreateRequestWithMasterAndUp() {
        byte[] wire = LinkMessages.create(LinkSpec.Veth.pair("v0", "v1", null).withMaster(5).withUp(true)).toBytes(7);
        assertThat(HEX.formatHex(wire)).isEqualTo(HEX.formatHex(hex(
                "60000000 1000 0006 07000000 00000000"          // len 96, seq 7
                + "00 00 0000 00000000 01000000 01000000"       // ifinfomsg: flags IFF_UP, change IFF_UP
                + "0700 0300 763000 00"                         // IFLA_IFNAME "v0\0" + pad
                + "0800 0a00 05000000"                          // IFLA_MASTER 5
                + "3000 1280"                                   // IFLA_LINKINFO, 48 bytes
                + "  0900 0100 7665746800 000000"               //   IFLA_INFO_KIND "veth\0" + pad
                + "  2000 0280"                                 //   IFLA_INFO_DATA, 32 bytes
                + "    1c00 0180"                               //     VETH_INFO_PEER, 28 bytes
                + "      00 00 0000 00000000 00000000 00000000" //       the peer's ifinfomsg
                + "      0700 0300 763100 00")));               //       IFLA_IFNAME "v1\0"
    }

    @Test
    void ipv6AddrGenModeIsNestedUnderAfSpecAndInet6() {
        byte[] wire = io.nsnet.link.LinkMessages.setIpv6AddrGenMode(9, io.nsnet.link.Ipv6AddrGenMode.NONE).toBytes(4);
        assertThat(HEX.formatHex(wire)).isEqualTo(HEX.formatHex(hex(
                "30000000 1000 0000 04000000 00000000"          // len 48, RTM_NEWLINK, no flags, seq 4
                + "00 00 0000 09000000 00000000 00000000"       // ifinfomsg: index 9, no flag change
                + "1000 1a80"                                   // IFLA_AF_SPEC (nested), 16 bytes
                + "  0c00 0a80"                                 //   AF_INET6 (nested), 12 bytes
                + "    0500 0800 01 000000")));                 //     IFLA_INET6_ADDR_GEN_MODE 1 (none) + pad
    }

    @Test
    void upWithMacCarriesTheAddressAndTheUpFlagInOneChange() {
        byte[] wire = LinkMessages.upWithMac(7, io.nsnet.link.MacAddress.parse("02:42:ac:11:00:02")).toBytes(5);
        assertThat(HEX.formatHex(wire)).isEqualTo(HEX.formatHex(hex(
                "2c000000 1000 0000 05000000 00000000"          // len 44, RTM_NEWLINK, no flags, seq 5
                + "00 00 0000 07000000 01000000 01000000"       // ifinfomsg: index 7, IFF_UP within IFF_UP
                + "0a00 0100 0242ac110002 0000")));             // IFLA_ADDRESS (6 bytes) + pad
    }

    @Test
    void vethQueuesGoToBothEnds() {
        byte[] wire = LinkMessages.create(LinkSpec.Veth.pair("v0", "v1", null).withQueues(1)).toBytes(3);
        assertThat(HEX.formatHex(wire)).isEqualTo(HEX.formatHex(hex(
                "78000000 1000 0006 03000000 00000000"          // len 120, seq 3
                + "00 00 0000 00000000 00000000 00000000"       // ifinfomsg
                + "0700 0300 763000 00"                         // IFLA_IFNAME "v0\0" + pad
                + "0800 1f00 01000000"                          // IFLA_NUM_TX_QUEUES 1
                + "0800 2000 01000000"                          // IFLA_NUM_RX_QUEUES 1
                + "4000 1280"                                   // IFLA_LINKINFO, 64 bytes
                + "  0900 0100 7665746800 000000"               //   IFLA_INFO_KIND "veth\0" + pad
                + "  3000 0280"                                 //   IFLA_INFO_DATA, 48 bytes
                + "    2c00 0180"                               //     VETH_INFO_PEER, 44 bytes
                + "      00 00 0000 00000000 00000000 00000000" //       the peer's ifinfomsg
                + "      0700 0300 763100 00"                   //       IFLA_IFNAME "v1\0"
                + "      0800 1f00 01000000"                    //       IFLA_NUM_TX_QUEUES 1
                + "      0800 2000 01000000")));                //       IFLA_NUM_RX_QUEUES 1
        assertThatThrownBy(() -> LinkSpec.Veth.pair("v0", "v1", null).withQueues(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("veth queues 0");
        assertThatThrownBy(() -> LinkSpec.Veth.pair("v0", "v1", null).withQueues(4097))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of range 1-4096");
    }

    @Test
    void addressAndRouteRequests() {
        byte[] addr = AddrMessages.add(3, IpPrefix.parse("10.0.0.2/24")).toBytes(2);
        assertThat(HEX.formatHex(addr)).isEqualTo(HEX.formatHex(hex(
                "30000000 1400 0006 02000000 00000000"          // len 48, RTM_NEWADDR
                + "02 18 00 00 03000000"                        // ifaddrmsg: AF_INET /24 index 3
                + "0800 0200 0a000002"                          // IFA_LOCAL 10.0.0.2
                + "0800 0100 0a000002"                          // IFA_ADDRESS 10.0.0.2
                + "0800 0400 0a0000ff")));                      // IFA_BROADCAST 10.0.0.255

        byte[] route = RouteMessages.add(Route.defaultVia(IpPrefix.literal("10.0.0.1"), 3)).toBytes(3);
        assertThat(HEX.formatHex(route)).isEqualTo(HEX.formatHex(hex(
                "2c000000 1800 0006 03000000 00000000"          // len 44, RTM_NEWROUTE
                + "02 00 00 00 fe 03 00 01 00000000"            // rtmsg: AF_INET dst/0 main boot universe unicast
                + "0800 0500 0a000001"                          // RTA_GATEWAY 10.0.0.1
                + "0800 0400 03000000")));                      // RTA_OIF 3
    }

    @Test
    void parsesALinkReplyWithNestedAttributes() {
        ByteBuffer reply = buf(
                "60000000 1000 0200 09000000 00000000"          // RTM_NEWLINK, NLM_F_MULTI
                + "00 00 0100 07000000 43100100 00000000"       // index 7, flags UP|BROADCAST|RUNNING|MULTICAST|LOWER_UP
                + "0b00 0300 76657468616200 00"                 // IFLA_IFNAME "vethab"
                + "0800 0400 dc050000"                          // IFLA_MTU 1500
                + "0a00 0100 0242ac110002 0000"                 // IFLA_ADDRESS
                + "0800 0a00 04000000"                          // IFLA_MASTER 4
                + "0800 2500 00000000"                          // IFLA_LINK_NETNSID 0
                + "1000 1280 0900 0100 7665746800 000000");     // IFLA_LINKINFO { KIND "veth" }
        List<NlMsg> msgs = NlMsg.parseAll(reply);
        assertThat(msgs).hasSize(1);
        Link l = LinkMessages.parse(msgs.get(0));
        assertThat(l).isEqualTo(new Link(7, "vethab", new LinkKind.Veth(), 4, 0x11043,
                MacAddress.parse("02:42:ac:11:00:02"), 1500, 0, 0, ""));
        assertThat(l.isUp()).isTrue();
    }

    @Test
    void parsesSeveralMessagesInOneDatagramAndAddresses() {
        ByteBuffer dgram = buf(
                "2c000000 1400 0200 05000000 00000000"          // RTM_NEWADDR
                + "02 10 80 00 02000000"                        // AF_INET /16 flags PERMANENT scope universe idx 2
                + "0800 0200 ac110001"                          // IFA_LOCAL 172.17.0.1
                + "0b00 0300 646f636b657200 00"                 // IFA_LABEL "docker"
                + "14000000 0300 0200 05000000 00000000 00000000"); // NLMSG_DONE, status 0
        List<NlMsg> msgs = NlMsg.parseAll(dgram);
        assertThat(msgs).extracting(NlMsg::type).containsExactly(Nl.RTM_NEWADDR, Nl.NLMSG_DONE);
        Address a = AddrMessages.parse(msgs.get(0));
        assertThat(a.prefix().toString()).isEqualTo("172.17.0.1/16");
        assertThat(a.linkIndex()).isEqualTo(2);
        assertThat(a.label()).isEqualTo("docker");
    }

    @Test
    void decodesAnErrorWithExtendedAck() {
        ByteBuffer dgram = buf(
                "3c000000 0200 0003 05000000 00000000"          // NLMSG_ERROR, flags CAPPED|ACK_TLVS
                + "a1ffffff"                                    // error -95 (EOPNOTSUPP)
                + "4c000000 1000 0506 05000000 00000000"        // the request's header (capped: no payload)
                + "1800 0100 556e6b6e6f776e206465766963652074797065 00"); // NLMSGERR_ATTR_MSG "Unknown device type"
        NlMsg m = NlMsg.parseAll(dgram).get(0);
        NetlinkException e = NetlinkSocket.errorOf(m, "create link x");
        assertThat(e.errno()).isEqualTo(95);
        assertThat(e.errnoName()).isEqualTo("EOPNOTSUPP");
        assertThat(e.extAck()).isEqualTo("Unknown device type");
        assertThat(e).hasMessage("create link x: EOPNOTSUPP (95): Unknown device type");
    }

    @Test
    void errnoPicksTheTypedException() {
        assertThat(NetlinkException.of("x", 17, "")).isInstanceOf(NetlinkException.AlreadyExistsException.class);
        assertThat(NetlinkException.of("x", 19, "")).isInstanceOf(NetlinkException.NotFoundException.class);
        assertThat(NetlinkException.of("x", 22, "")).isExactlyInstanceOf(NetlinkException.class);
    }

    @Test
    void rejectsTruncatedMessagesAndAttributes() {
        assertThatThrownBy(() -> NlMsg.parseAll(buf("20000000 1000 0000 01000000 00000000")))
                .isInstanceOf(NetlinkProtocolException.class);
        assertThatThrownBy(() -> NlAttrs.parse(buf("0c00 0300 6162")))
                .isInstanceOf(NetlinkProtocolException.class);
    }

    @Test
    void nestedAttributesAreAlignedAndFlagged() {
        byte[] wire = new NlMsgBuilder(99, 0).beginNested(1).attrU8(2, 0xab).beginNested(3).endNested().endNested()
                .toBytes(0);
        assertThat(HEX.formatHex(wire)).isEqualTo(HEX.formatHex(hex(
                "20000000 6300 0000 00000000 00000000"
                + "1000 0180 0500 0200 ab000000 0400 0380")));
        NlAttrs outer = NlAttrs.parse(ByteBuffer.wrap(wire, 16, 16).slice().order(ByteOrder.nativeOrder()));
        NlAttrs inner = outer.nested(1).orElseThrow();
        assertThat(inner.u8(2)).contains(0xab);
        assertThat(inner.nested(3).orElseThrow().types()).isEmpty();
    }
}
