package io.nsnet.agent.firewall;

import io.nsnet.agent.firewall.model.Chain;
import io.nsnet.agent.firewall.model.ForeignRule;
import io.nsnet.agent.firewall.model.Rule;
import io.nsnet.agent.firewall.model.RuleParser;
import io.nsnet.agent.firewall.model.RuleSpec;
import io.nsnet.agent.firewall.model.Ruleset;
import io.nsnet.agent.firewall.model.Table;
import io.nsnet.agent.firewall.model.TableName;
import io.nsnet.iptc.IptEntryCodec;
import io.nsnet.iptc.Ip4tc;
import io.nsnet.iptc.IptcException;
import io.nsnet.iptc.IptTableReader;
import io.nsnet.iptc.IptcHandle;
import io.nsnet.iptc.XtablesLock;
import io.nsnet.netns.NetNs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The firewall in-process through libiptc (legacy x_tables only): no iptables process at all.
 *
 * <p>{@link #readLive()} snapshots each table as {@code iptc_init} does, in one system call
 * ({@link IptTableReader}), and decodes its entries ({@link IptcRuleCodec}). {@link #commit} carries out the
 * planner's restore script on a fresh libiptc snapshot and {@code iptc_commit}s each table once, under the
 * xtables lock as iptables-legacy does; a command that fails (a {@code -D} whose rule is gone) abandons that
 * table's transaction. Everything runs on a worker inside the host namespace ({@link NetNs#call}), one task per
 * call, and each libiptc handle lives and dies inside that task (libiptc binds to the calling thread's
 * namespace and is not thread-safe).
 *
 * <p>Tables: like iptables-save, a table the kernel has not instantiated yet (absent from
 * {@code /proc/net/ip_tables_names}) reads as absent; asking the kernel for it would otherwise create it as a
 * side effect of merely looking.
 */
public final class LibiptcBackend implements FirewallBackend {

    private final NetNs ns;
    /**
     * Foreign rules of the last read by their description, as entries libiptc takes, so that a plan can delete
     * one from nsnet's own chains (ForeignRule text is not iptables syntax that could be parsed back). Replaced,
     * never mutated.
     */
    private volatile Map<String, byte[]> foreign = Map.of();
    /**
     * Rules of the last read by entry identity ({@link IptEntryCodec#identity} + target name). A read decodes
     * only entries it has not seen last time: at 1000 networks (8000 rules) decoding every entry costs tens of
     * milliseconds, while a change adds or removes a handful. Replaced by each read, so it never outgrows the
     * tables.
     */
    private volatile Map<EntryKey, Rule> decoded = Map.of();

    /**
     * An entry's identity bytes and its target's name (a jump's chain is not in the bytes). The hash is computed
     * once, eight bytes at a time: a read looks up and stores every entry, and Arrays.hashCode over ~250 bytes
     * per entry was the largest single cost of reading 8000 rules.
     */
    private static final class EntryKey {
        private static final java.lang.invoke.VarHandle LONGS =
                java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
        final byte[] identity;
        final String target;
        private final int hash;

        EntryKey(byte[] identity, String target) {
            this.identity = identity;
            this.target = target;
            long h = identity.length;
            int i = 0;
            for (; i + 8 <= identity.length; i += 8) {
                h = h * 0x9E3779B97F4A7C15L + (long) LONGS.get(identity, i);
            }
            for (; i < identity.length; i++) {
                h = h * 31 + identity[i];
            }
            this.hash = (int) (h ^ (h >>> 32)) * 31 + Objects.hashCode(target);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof EntryKey k && k.hash == hash && java.util.Arrays.equals(identity, k.identity)
                    && Objects.equals(target, k.target);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    public LibiptcBackend(NetNs ns) {
        this.ns = Objects.requireNonNull(ns, "ns");
        if (!Ip4tc.available()) {
            throw new FirewallException(Ip4tc.loadFailure());
        }
    }

    /** Whether this backend can work in this process (libip4tc loads). */
    public static boolean available() {
        return Ip4tc.available();
    }

    @Override
    public String name() {
        return "libiptc";
    }

    @Override
    public Ruleset readLive() {
        Map<String, byte[]> foreignSeen = new HashMap<>();
        Map<EntryKey, Rule> previous = decoded;
        Map<EntryKey, Rule> seen = new HashMap<>(Math.max(16, previous.size() * 2));
        Ruleset r;
        try {
            r = ns.call(() -> {
                Map<TableName, Table> tables = new EnumMap<>(TableName.class);
                List<String> present = presentTables();
                for (TableName t : TableName.values()) {
                    if (present.contains(t.id())) {
                        tables.put(t, read(t, previous, seen, foreignSeen));
                    }
                }
                return new Ruleset(tables);
            });
        } catch (io.nsnet.libc.ErrnoException e) {
            throw new FirewallException("cannot read the legacy tables: " + e.getMessage(), e);
        }
        foreign = Map.copyOf(foreignSeen);
        decoded = seen;
        return r;
    }

    private static Table read(TableName t, Map<EntryKey, Rule> previous, Map<EntryKey, Rule> seen,
            Map<String, byte[]> foreignSeen) {
        Map<String, Chain> chains = new LinkedHashMap<>();
        for (IptTableReader.ChainEntries c : IptTableReader.read(t.id())) {
            List<Rule> rules = new ArrayList<>(c.rules().size());
            for (IptcHandle.RawRule rr : c.rules()) {
                EntryKey key = new EntryKey(IptEntryCodec.identity(rr.entry()), rr.target());
                Rule rule = previous.get(key);
                if (rule == null) {
                    rule = toRule(rr);
                }
                if (rule instanceof ForeignRule f) {
                    foreignSeen.put(f.spec(), IptEntryCodec.toInputForm(rr.entry(), rr.target()));
                }
                seen.put(key, rule);
                rules.add(rule);
            }
            chains.put(c.name(), new Chain(c.name(), c.policy(), rules));
        }
        return new Table(t, chains);
    }

    /**
     * Decodes one entry. Whatever the codec cannot even represent (an address with bits outside its mask, an
     * interface mask iptables would not write, a verdict it does not know) is someone else's rule written by
     * something other than iptables: foreign, never a reason to fail the read.
     */
    private static Rule toRule(IptcHandle.RawRule rr) {
        try {
            return IptcRuleCodec.toRule(IptEntryCodec.decode(rr.entry(), rr.target()));
        } catch (IllegalArgumentException e) {
            return new ForeignRule(IptcRuleCodec.FOREIGN_PREFIX + "raw " + java.util.HexFormat.of().formatHex(
                    IptEntryCodec.identity(rr.entry())) + " -> " + rr.target() + ">");
        }
    }

    /** The tables this thread's namespace has instantiated (the worker is inside it, hence thread-self). */
    private static List<String> presentTables() {
        try {
            return Files.readAllLines(Path.of("/proc/thread-self/net/ip_tables_names"));
        } catch (NoSuchFileException e) {
            return List.of(); // ip_tables not loaded at all: no legacy table exists yet
        } catch (IOException e) {
            throw new FirewallException("cannot read ip_tables_names: " + e.getMessage(), e);
        }
    }

    @Override
    public void commit(RestorePlan plan) {
        RestoreScript script = RestoreScript.of(plan, "libiptc");
        if (script.isEmpty()) {
            return;
        }
        Map<String, byte[]> foreignNow = foreign;
        ns.run(() -> {
            try (XtablesLock lock = XtablesLock.acquire()) {
                for (RestoreScript.Section s : script.sections()) {
                    commitSection(s, foreignNow);
                }
            }
        });
    }

    private static void commitSection(RestoreScript.Section s, Map<String, byte[]> foreignNow) {
        try (IptcHandle h = IptcHandle.open(s.table().id())) {
            for (RestoreScript.Command c : s.commands()) {
                try {
                    apply(h, c, foreignNow);
                } catch (IptcException | IllegalArgumentException e) {
                    throw new FirewallException("libiptc: " + s.table().id() + ": " + c.line() + ": " + e.getMessage()
                            + " (nothing committed for this table)", e);
                }
            }
            try {
                h.commit();
            } catch (IptcException e) {
                throw new FirewallException("libiptc: commit of table " + s.table().id() + " failed: " + e.getMessage(), e);
            }
        } catch (IptcException e) {
            throw new FirewallException("libiptc: " + e.getMessage(), e);
        }
    }

    private static void apply(IptcHandle h, RestoreScript.Command c, Map<String, byte[]> foreignNow) {
        if (c instanceof RestoreScript.DeclareChain d) {
            if (d.policy() != null) {
                h.setPolicy(d.chain(), d.policy());
            } else if (h.isChain(d.chain())) {
                h.flush(d.chain()); // iptables-restore --noflush flushes a declared existing chain
            } else {
                h.createChain(d.chain());
            }
        } else if (c instanceof RestoreScript.Append a) {
            h.append(a.chain(), entry(a.spec(), foreignNow));
        } else if (c instanceof RestoreScript.Insert i) {
            h.insert(i.chain(), entry(i.spec(), foreignNow), i.position() - 1);
        } else if (c instanceof RestoreScript.Delete d) {
            h.deleteMatching(d.chain(), entry(d.spec(), foreignNow));
        } else if (c instanceof RestoreScript.Flush f) {
            h.flush(f.chain());
        } else if (c instanceof RestoreScript.DeleteChain x) {
            h.deleteChain(x.chain());
        } else if (c instanceof RestoreScript.NewChain nc) {
            h.createChain(nc.chain());
        } else {
            RestoreScript.Policy p = (RestoreScript.Policy) c;
            h.setPolicy(p.chain(), p.policy());
        }
    }

    private static byte[] entry(String spec, Map<String, byte[]> foreignNow) {
        byte[] known = foreignNow.get(spec);
        if (known != null) {
            return known;
        }
        Rule r = RuleParser.parse(spec);
        if (!(r instanceof RuleSpec rs)) {
            throw new IllegalArgumentException("rule outside nsnet's vocabulary: " + spec);
        }
        return IptEntryCodec.encode(IptcRuleCodec.toEntry(rs));
    }

    @Override
    public String toString() {
        return "libiptc in " + ns;
    }
}
