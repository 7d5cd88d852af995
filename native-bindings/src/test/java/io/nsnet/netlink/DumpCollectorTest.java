package io.nsnet.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dump protocol on byte fixtures: parts until DONE, other requests' replies skipped, DUMP_INTR noted. */
class DumpCollectorTest {
    @BeforeAll
    static void littleEndianOnly() {
        org.junit.jupiter.api.Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN);
    }

    private static List<NlMsg> dgram(String hex) {
        return NlMsg.parseAll(ByteBuffer.wrap(HexFormat.of().parseHex(hex.replaceAll("\\s", "")))
                .order(ByteOrder.nativeOrder()));
    }

    // RTM_NEWLINK parts (payload: a bare 16-byte ifinfomsg) with sequence 7, flags MULTI (0x02) or MULTI|DUMP_INTR (0x12)
    private static final String PART_SEQ7 = "20000000 1000 0200 07000000 00000000 00000000 01000000 00000000 00000000";
    private static final String PART_SEQ7_INTR = "20000000 1000 1200 07000000 00000000 00000000 02000000 00000000 00000000";
    private static final String PART_SEQ6 = "20000000 1000 0200 06000000 00000000 00000000 09000000 00000000 00000000";
    private static final String DONE_SEQ7 = "14000000 0300 0200 07000000 00000000 00000000";

    @Test
    void collectsPartsAcrossDatagramsUntilDone() {
        DumpCollector c = new DumpCollector(7, "list links");
        assertThat(c.accept(dgram(PART_SEQ7 + PART_SEQ6))).isFalse();
        assertThat(c.accept(dgram(PART_SEQ7 + DONE_SEQ7))).isTrue();
        assertThat(c.parts()).hasSize(2).allSatisfy(m -> assertThat(m.seq()).isEqualTo(7));
        assertThat(c.interrupted()).isFalse();
    }

    @Test
    void notesAnInterruptedDump() {
        DumpCollector c = new DumpCollector(7, "list links");
        assertThat(c.accept(dgram(PART_SEQ7 + PART_SEQ7_INTR + DONE_SEQ7))).isTrue();
        assertThat(c.interrupted()).isTrue();
    }

    @Test
    void aNegativeDoneStatusIsAnError() {
        DumpCollector c = new DumpCollector(7, "list links");
        assertThatThrownBy(() -> c.accept(dgram("14000000 0300 0200 07000000 00000000 eaffffff")))
                .isInstanceOf(NetlinkException.class).hasMessageContaining("EINVAL");
    }
}
