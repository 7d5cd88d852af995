package io.nsnet.iptc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Sizes and round trips without a kernel; byte equality with iptables-legacy is IptEntryCodecKernelTest. */
class IptEntryCodecTest {

    private static int targetSize(byte[] e) {
        ByteBuffer b = ByteBuffer.wrap(e).order(ByteOrder.nativeOrder());
        return b.getShort(b.getShort(88)) & 0xFFFF;
    }

    @Test
    void sizesAreTheCStructSizesAlignedTo8() {
        IptEntry plain = IptcFixtures.entry(IptIp.ANY, XtTarget.Verdict.ACCEPT);
        assertThat(IptEntryCodec.encode(plain)).hasSize(112 + 40);
        assertThat(IptEntryCodec.encodeMatch(XtMatch.Tcp.dport(80))).hasSize(48);
        assertThat(IptEntryCodec.encodeMatch(XtMatch.Udp.dport(80))).hasSize(48);
        assertThat(IptEntryCodec.encodeMatch(new XtMatch.Conntrack(6, false))).hasSize(200);
        assertThat(IptEntryCodec.encodeMatch(new XtMatch.Addrtype(0, 4, 0))).hasSize(40);
        assertThat(IptEntryCodec.encodeMatch(new XtMatch.Comment("x"))).hasSize(288);
        assertThat(IptEntryCodec.encodeTarget(XtTarget.Masquerade.PLAIN)).hasSize(56);
        assertThat(IptEntryCodec.encodeTarget(XtTarget.Dnat.to(1, 80))).hasSize(80);
        byte[] e = IptEntryCodec.encode(IptcFixtures.entry(IptIp.ANY, XtTarget.Masquerade.PLAIN, XtMatch.Tcp.dport(1)));
        ByteBuffer b = ByteBuffer.wrap(e).order(ByteOrder.nativeOrder());
        assertThat(b.getShort(88)).isEqualTo((short) (112 + 48));
        assertThat(b.getShort(90)).isEqualTo((short) e.length);
        assertThat(targetSize(e)).isEqualTo(56);
    }

    @Test
    void everyFixtureRoundTrips() {
        for (IptcFixtures.Case c : IptcFixtures.cases()) {
            byte[] bytes = IptEntryCodec.encode(c.entry());
            String name = c.entry().target() instanceof XtTarget.Jump j ? j.chain()
                    : c.entry().target() instanceof XtTarget.Verdict v ? v.name() : null;
            assertThat(IptEntryCodec.decode(IptEntryCodec.asKernelForm(bytes), name)).as(c.args()).isEqualTo(c.entry());
            if (!(c.entry().target() instanceof XtTarget.Jump)) {
                assertThat(IptEntryCodec.decode(bytes, name)).as("input form of " + c.args()).isEqualTo(c.entry());
            }
        }
    }

    @Test
    void interfaceMaskCoversTheNulOrTheWildcardPrefix() {
        byte[] e = IptEntryCodec.encode(IptcFixtures.entry(IptIp.ANY.withIn("eth0", false).withOut("veth+", true),
                XtTarget.Verdict.DROP));
        assertThat(e[48 + 4]).isEqualTo((byte) 0xFF);
        assertThat(e[48 + 5]).isZero();
        assertThat(e[64 + 3]).isEqualTo((byte) 0xFF); // "veth": 4 bytes, no NUL, no '+'
        assertThat(e[64 + 4]).isZero();
        assertThat(e[83]).isEqualTo((byte) IptIp.INV_VIA_OUT);
    }

    @Test
    void unknownMatchesAndTargetsAreKeptVerbatim() {
        IptEntry odd = new IptEntry(IptIp.ANY, List.of(new XtMatch.Unknown("mark", 1, "0100000001000000")),
                new XtTarget.Unknown("LOG", 0, "00".repeat(32)));
        assertThat(IptEntryCodec.decode(IptEntryCodec.encode(odd), "LOG")).isEqualTo(odd);
        // conntrack with an option the record does not model stays Unknown, bytes intact
        byte[] ct = IptEntryCodec.encode(IptcFixtures.entry(IptIp.ANY, XtTarget.Verdict.ACCEPT, new XtMatch.Conntrack(6, false)));
        ct[112 + 32 + 146] |= 2; // XT_CONNTRACK_ORIGSRC
        assertThat(IptEntryCodec.decode(ct, "ACCEPT").matches().get(0)).isInstanceOf(XtMatch.Unknown.class);
        assertThat(IptEntryCodec.encode(IptEntryCodec.decode(ct, "ACCEPT"))).isEqualTo(ct);
    }

    @Test
    void aModuleTargetAsLargeAsTheStandardOneIsNotAJump() {
        // REJECT's ipt_reject_info is one int, so its target is 40 bytes like the standard target.
        IptEntry reject = new IptEntry(IptIp.ANY, List.of(), new XtTarget.Unknown("REJECT", 0, "0300000000000000"));
        byte[] b = IptEntryCodec.encode(reject);
        assertThat(targetSize(b)).isEqualTo(40);
        assertThat(IptEntryCodec.decode(b, "REJECT")).isEqualTo(reject);
    }

    @Test
    void rejectsMalformedEntries() {
        byte[] e = IptEntryCodec.encode(IptcFixtures.entry(IptIp.ANY, XtTarget.Verdict.ACCEPT));
        assertThatThrownBy(() -> IptEntryCodec.decode(java.util.Arrays.copyOf(e, 100), "ACCEPT"))
                .isInstanceOf(IllegalArgumentException.class);
        e[90] = 0;
        assertThatThrownBy(() -> IptEntryCodec.decode(e, "ACCEPT")).isInstanceOf(IllegalArgumentException.class);
    }
}
