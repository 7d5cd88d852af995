package io.nsnet.iptc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.nsnet.netns.NetNs;
import io.nsnet.testing.Observer;
import io.nsnet.testing.ThrowawayNetns;

/**
 * The codec against iptables-legacy itself, in throwaway namespaces: rules written by {@code iptables-legacy}
 * are read back through libiptc and compared byte for byte with nsnet's encoding (and decoded to the same
 * record); then the same rules written through libiptc from nsnet's encoding read back through
 * {@code iptables-legacy-save} as the identical text.
 */
@Tag("kernel")
class IptEntryCodecKernelTest {
    private ThrowawayNetns namespaces;

    @BeforeEach
    void setUp() {
        namespaces = new ThrowawayNetns();
    }

    @AfterEach
    void tearDown() {
        namespaces.close();
    }

    private static void iptables(NetNs ns, String table, String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns.name(), "iptables-legacy", "-w", "-t", table));
        argv.addAll(List.of(args));
        Observer.run(argv.toArray(String[]::new));
    }

    private static void iptablesLine(NetNs ns, String table, String line) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns.name(), "sh", "-c",
                "iptables-legacy -w -t " + table + " " + line));
        Observer.run(argv.toArray(String[]::new));
    }

    private static String save(NetNs ns, String table) {
        return Observer.run("ip", "netns", "exec", ns.name(), "iptables-legacy-save", "-t", table)
                .lines().filter(l -> !l.startsWith("#")).map(l -> l.replaceAll("\\[\\d+:\\d+\\]", "[0:0]"))
                .reduce("", (a, b) -> a + b + "\n");
    }

    /**
     * What may legitimately differ between the kernel's copy and libiptc's input form: counters and
     * {@code comefrom} (kernel-filled), and in a standard target the name (libiptc clears it) and, for a jump,
     * the verdict (the kernel's byte offset of the chain). Also every extension name's bytes after its NUL: the
     * kernel copies back only {@code strlen(name) + 1} bytes and the rest is whatever libiptc's malloc'd buffer
     * held (seen: fragments of JVM strings).
     */
    private static byte[] comparable(byte[] entry, XtTarget target) {
        byte[] b = entry.clone();
        java.util.Arrays.fill(b, 92, 112, (byte) 0);
        int t = ((b[88] & 0xFF) | (b[89] & 0xFF) << 8);
        int next = ((b[90] & 0xFF) | (b[91] & 0xFF) << 8);
        for (int at = 112; at < next; at += ((b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8)) {
            int nul = at + 2;
            while (nul < at + 31 && b[nul] != 0) {
                nul++;
            }
            java.util.Arrays.fill(b, nul, at + 31, (byte) 0);
        }
        if (target instanceof XtTarget.Verdict || target instanceof XtTarget.Jump) {
            java.util.Arrays.fill(b, t + 2, t + 31, (byte) 0);
        }
        if (target instanceof XtTarget.Jump) {
            java.util.Arrays.fill(b, t + 32, t + 36, (byte) 0);
        }
        return b;
    }

    @Test
    void encodingEqualsWhatIptablesLegacyWritesAndReadsBackAsTheSameText() {
        NetNs ns = namespaces.create("iptc");
        for (String c : IptcFixtures.FILTER_CHAINS) {
            iptables(ns, "filter", "-N", c);
        }
        for (String c : IptcFixtures.NAT_CHAINS) {
            iptables(ns, "nat", "-N", c);
        }
        List<IptcFixtures.Case> cases = IptcFixtures.cases();
        for (IptcFixtures.Case c : cases) {
            iptablesLine(ns, c.table(), "-A " + c.chain() + " " + c.args());
        }
        String filterSave = save(ns, "filter");
        String natSave = save(ns, "nat");
        for (IptcFixtures.Case c : cases) {
            assertThat(c.table().equals("nat") ? natSave : filterSave).contains("-A " + c.chain() + " " + c.args() + "\n");
        }

        // 1. iptables-legacy's bytes, read through libiptc, equal nsnet's encoding and decode to the same record.
        Map<String, List<IptcHandle.RawRule>> read = ns.call(() -> {
            Map<String, List<IptcHandle.RawRule>> out = new LinkedHashMap<>();
            for (String table : List.of("filter", "nat")) {
                try (IptcHandle h = IptcHandle.open(table)) {
                    for (String chain : h.chains()) {
                        out.put(table + "/" + chain, h.rules(chain));
                    }
                }
            }
            return out;
        });
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (IptcFixtures.Case c : cases) {
            String key = c.table() + "/" + c.chain();
            int i = seen.merge(key, 1, Integer::sum) - 1;
            IptcHandle.RawRule raw = read.get(key).get(i);
            byte[] ours = IptEntryCodec.encode(c.entry());
            assertThat(HexFormat.of().formatHex(comparable(raw.entry(), c.entry().target())))
                    .as("bytes of %s %s", c.chain(), c.args())
                    .isEqualTo(HexFormat.of().formatHex(comparable(ours, c.entry().target())));
            assertThat(IptEntryCodec.decode(raw.entry(), raw.target())).as("decode of %s", c.args()).isEqualTo(c.entry());
        }

        // 2. The same rules written through libiptc from nsnet's encoding: iptables-legacy-save prints the same.
        ns.run(() -> {
            for (String table : List.of("filter", "nat")) {
                try (IptcHandle h = IptcHandle.open(table)) {
                    for (String chain : h.chains()) {
                        h.flush(chain);
                    }
                    for (IptcFixtures.Case c : cases) {
                        if (c.table().equals(table)) {
                            h.append(c.chain(), IptEntryCodec.encode(c.entry()));
                        }
                    }
                    h.commit();
                }
            }
        });
        assertThat(save(ns, "filter")).isEqualTo(filterSave);
        assertThat(save(ns, "nat")).isEqualTo(natSave);
    }

    @Test
    void theBlobReaderSeesWhatLibiptcSees() {
        NetNs ns = namespaces.create("iptc");
        for (String c : IptcFixtures.FILTER_CHAINS) {
            iptables(ns, "filter", "-N", c);
        }
        for (String c : IptcFixtures.NAT_CHAINS) {
            iptables(ns, "nat", "-N", c);
        }
        iptables(ns, "filter", "-N", "EMPTY");
        iptables(ns, "filter", "-P", "FORWARD", "DROP");
        for (IptcFixtures.Case c : IptcFixtures.cases()) {
            iptablesLine(ns, c.table(), "-A " + c.chain() + " " + c.args());
        }
        iptablesLine(ns, "filter", "-A NSNET-USER -j RETURN"); // a RETURN rule right before the chain's own tail
        ns.run(() -> {
            for (String table : List.of("filter", "nat")) {
                List<IptTableReader.ChainEntries> blob = IptTableReader.read(table);
                try (IptcHandle h = IptcHandle.open(table)) {
                    assertThat(blob).extracting(IptTableReader.ChainEntries::name).containsExactlyInAnyOrderElementsOf(h.chains());
                    for (IptTableReader.ChainEntries c : blob) {
                        assertThat(c.policy()).as(c.name()).isEqualTo(h.isBuiltin(c.name()) ? h.policy(c.name()) : null);
                        List<IptcHandle.RawRule> viaLib = h.rules(c.name());
                        assertThat(c.rules()).as(c.name()).hasSameSizeAs(viaLib);
                        for (int i = 0; i < viaLib.size(); i++) {
                            assertThat(c.rules().get(i).target()).isEqualTo(viaLib.get(i).target());
                            assertThat(IptEntryCodec.identity(c.rules().get(i).entry()))
                                    .isEqualTo(IptEntryCodec.identity(viaLib.get(i).entry()));
                        }
                    }
                }
            }
        });
    }

    @Test
    void chainsPoliciesAndEditsThroughTheHandle() {
        NetNs ns = namespaces.create("iptc");
        ns.run(() -> {
            try (IptcHandle h = IptcHandle.open("filter")) {
                assertThat(h.chains()).containsExactly("INPUT", "FORWARD", "OUTPUT");
                assertThat(h.isBuiltin("FORWARD")).isTrue();
                assertThat(h.policy("FORWARD")).isEqualTo("ACCEPT");
                h.createChain("NSNET");
                assertThat(h.isBuiltin("NSNET")).isFalse();
                assertThat(h.policy("NSNET")).isNull();
                byte[] drop = IptEntryCodec.encode(IptcFixtures.entry(IptIp.ANY.withIn("a", false), XtTarget.Verdict.DROP));
                byte[] accept = IptEntryCodec.encode(IptcFixtures.entry(IptIp.ANY.withIn("b", false), XtTarget.Verdict.ACCEPT));
                h.append("NSNET", drop);
                h.insert("NSNET", accept, 0);
                h.append("FORWARD", IptEntryCodec.encode(IptcFixtures.entry(IptIp.ANY, new XtTarget.Jump("NSNET"))));
                h.setPolicy("OUTPUT", "DROP");
                h.commit();
            }
        });
        assertThat(save(ns, "filter")).contains(":OUTPUT DROP [0:0]", "-A NSNET -i b -j ACCEPT\n-A NSNET -i a -j DROP",
                "-A FORWARD -j NSNET");
        ns.run(() -> {
            try (IptcHandle h = IptcHandle.open("filter")) {
                assertThat(h.rules("FORWARD")).extracting(IptcHandle.RawRule::target).containsExactly("NSNET");
                h.delete("NSNET", 1);
                h.flush("FORWARD");
                h.setPolicy("OUTPUT", "ACCEPT");
                h.commit();
            }
        });
        assertThat(save(ns, "filter")).contains("-A NSNET -i b -j ACCEPT\n").doesNotContain("-i a", "-A FORWARD");
    }

    @Test
    void deleteMatchingRemovesTheFirstEqualRuleAsIptablesDashD() {
        NetNs ns = namespaces.create("iptc");
        for (String c : IptcFixtures.FILTER_CHAINS) {
            iptables(ns, "filter", "-N", c);
        }
        for (String c : IptcFixtures.NAT_CHAINS) {
            iptables(ns, "nat", "-N", c);
        }
        for (IptcFixtures.Case c : IptcFixtures.cases()) {
            iptablesLine(ns, c.table(), "-A " + c.chain() + " " + c.args());
        }
        iptablesLine(ns, "filter", "-A FORWARD -j NSNET-USER"); // a second copy: only the first one goes
        ns.run(() -> {
            try (XtablesLock lock = XtablesLock.acquire()) {
                for (String table : List.of("filter", "nat")) {
                    try (IptcHandle h = IptcHandle.open(table)) {
                        for (IptcFixtures.Case c : IptcFixtures.cases()) {
                            if (c.table().equals(table)) {
                                h.deleteMatching(c.chain(), IptEntryCodec.encode(c.entry()));
                            }
                        }
                        h.commit();
                    }
                }
            }
        });
        assertThat(save(ns, "filter").lines().filter(l -> l.startsWith("-A"))).containsExactly("-A FORWARD -j NSNET-USER");
        assertThat(save(ns, "nat").lines().filter(l -> l.startsWith("-A"))).isEmpty();
        ns.run(() -> {
            try (IptcHandle h = IptcHandle.open("nat")) {
                byte[] absent = IptEntryCodec.encode(IptcFixtures.entry(IptIp.ANY, XtTarget.Masquerade.PLAIN));
                assertThatThrownBy(() -> h.deleteMatching("POSTROUTING", absent)).isInstanceOf(IptcException.class);
            }
        });
    }

    @Test
    void failuresCarryErrnoAndLibiptcsText() {
        NetNs ns = namespaces.create("iptc");
        ns.run(() -> {
            try (IptcHandle h = IptcHandle.open("filter")) {
                h.createChain("X");
                assertThatThrownBy(() -> h.createChain("X")).isInstanceOfSatisfying(IptcException.class, e -> {
                    assertThat(e.errno()).isEqualTo(17);
                    assertThat(e.libiptcMessage()).isEqualTo("Chain already exists");
                    assertThat(e.getMessage()).contains("iptc_create_chain(filter/X)", "EEXIST");
                });
                assertThatThrownBy(() -> h.delete("FORWARD", 5)).isInstanceOf(IptcException.class);
                byte[] jumpNowhere = IptEntryCodec.encode(IptcFixtures.entry(IptIp.ANY, new XtTarget.Jump("NOPE")));
                h.append("FORWARD", jumpNowhere); // libiptc takes an unknown name as a target module …
                assertThatThrownBy(h::commit).isInstanceOf(IptcException.class); // … which the kernel refuses
            }
            assertThatThrownBy(() -> IptcHandle.open("nosuchtable")).isInstanceOf(IptcException.class);
        });
        assertThat(save(ns, "filter")).doesNotContain(":X");
    }

    @Test
    void aHandleIsConfinedToItsThread() throws Exception {
        NetNs ns = namespaces.create("iptc");
        AtomicReference<Throwable> fromOther = new AtomicReference<>();
        ns.run(() -> {
            try (IptcHandle h = IptcHandle.open("filter")) {
                Thread t = new Thread(() -> {
                    try {
                        h.chains();
                    } catch (Throwable e) {
                        fromOther.set(e);
                    }
                });
                t.start();
                try {
                    t.join();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
        });
        assertThat(fromOther.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("belongs to thread");
    }
}
