package io.nsnet.iptc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Splitting a table blob into chains, on a blob laid out as libiptc writes one (no kernel needed). */
class IptTableReaderTest {

    private static byte[] kernel(IptEntry e) {
        return IptEntryCodec.asKernelForm(IptEntryCodec.encode(e));
    }

    private static byte[] error(String name) {
        byte[] n = new byte[32];
        byte[] s = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(s, 0, n, 0, s.length);
        return IptEntryCodec.encode(new IptEntry(IptIp.ANY, List.of(), new XtTarget.Unknown("ERROR", 0, HexFormat.of().formatHex(n))));
    }

    private static void verdict(byte[] entry, int v) {
        ByteBuffer b = ByteBuffer.wrap(entry).order(ByteOrder.nativeOrder());
        b.putInt(b.getShort(88) + 32, v);
    }

    @Test
    void splitsBuiltinsUserChainsPoliciesAndJumps() {
        byte[] inputPolicy = kernel(new IptEntry(IptIp.ANY, List.of(), XtTarget.Verdict.ACCEPT));
        byte[] jump = kernel(new IptEntry(IptIp.ANY.withIn("a", false), List.of(), new XtTarget.Jump("X")));
        byte[] forwardPolicy = kernel(new IptEntry(IptIp.ANY, List.of(), XtTarget.Verdict.DROP));
        byte[] outputPolicy = kernel(new IptEntry(IptIp.ANY, List.of(), XtTarget.Verdict.ACCEPT));
        byte[] xHead = error("X");
        byte[] xRule = kernel(new IptEntry(IptIp.ANY, List.of(), XtTarget.Verdict.RETURN)); // a rule, not the tail
        byte[] xTail = kernel(new IptEntry(IptIp.ANY, List.of(), XtTarget.Verdict.RETURN));
        byte[] emptyHead = error("EMPTY");
        byte[] emptyTail = kernel(new IptEntry(IptIp.ANY, List.of(), XtTarget.Verdict.RETURN));
        byte[] end = error("ERROR");
        int forward = inputPolicy.length;
        int output = forward + jump.length + forwardPolicy.length;
        int x = output + outputPolicy.length;
        verdict(jump, x + xHead.length);
        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        for (byte[] e : List.of(inputPolicy, jump, forwardPolicy, outputPolicy, xHead, xRule, xTail, emptyHead, emptyTail, end)) {
            blob.writeBytes(e);
        }
        int[] hooks = {-1, 0, forward, output, -1};
        int[] underflow = {-1, 0, forward + jump.length, output, -1};

        List<IptTableReader.ChainEntries> chains = IptTableReader.split(blob.toByteArray(), hooks, underflow);

        assertThat(chains).extracting(IptTableReader.ChainEntries::name).containsExactly("INPUT", "FORWARD", "OUTPUT", "X", "EMPTY");
        assertThat(chains).extracting(IptTableReader.ChainEntries::policy).containsExactly("ACCEPT", "DROP", "ACCEPT", null, null);
        assertThat(chains.get(1).rules()).singleElement().satisfies(r -> {
            assertThat(r.target()).isEqualTo("X");
            assertThat(IptEntryCodec.decode(r.entry(), r.target()).target()).isEqualTo(new XtTarget.Jump("X"));
        });
        assertThat(chains.get(3).rules()).extracting(IptcHandle.RawRule::target).containsExactly("RETURN");
        assertThat(chains.get(4).rules()).isEmpty();
    }

    @Test
    void aJumpToNowhereIsAnError() {
        byte[] jump = kernel(new IptEntry(IptIp.ANY, List.of(), new XtTarget.Jump("X")));
        verdict(jump, 4096);
        byte[] policy = kernel(new IptEntry(IptIp.ANY, List.of(), XtTarget.Verdict.ACCEPT));
        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        blob.writeBytes(jump);
        blob.writeBytes(policy);
        blob.writeBytes(error("ERROR"));
        assertThatThrownBy(() -> IptTableReader.split(blob.toByteArray(), new int[] {-1, 0, -1, -1, -1},
                new int[] {-1, jump.length, -1, -1, -1})).hasMessageContaining("no chain starts there");
    }
}
