package io.nsnet.iptc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.nsnet.libc.Errno;
import io.nsnet.libc.ErrnoException;
import io.nsnet.libc.Native;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * Reads a legacy table the way libiptc's {@code iptc_init} does (IPT_SO_GET_INFO, then IPT_SO_GET_ENTRIES into
 * one buffer) and splits the blob into chains in Java, without libiptc.
 *
 * <p>Why: walking a table through libiptc costs four JNR calls per rule (next_rule, the size, the copy, and
 * get_target), ~1.5 µs each time, 10 ms for the 6000 rules of 1000 networks; the blob arrives in one system call
 * and splits in well under a millisecond. Writing still goes through libiptc ({@link IptcHandle}).
 *
 * <p>The blob's layout, as libiptc writes it and the kernel keeps it: built-in chain {@code h} runs from
 * {@code hook_entry[h]} to {@code underflow[h]}, whose standard target is the policy; a user chain starts with
 * an ERROR target naming it, and its last entry (a RETURN) is its tail, not a rule; an ERROR target named
 * "ERROR" ends the table. A jump's verdict is the byte offset of the chain's first rule (right after its head).
 * Entries come back in the kernel's form (see {@link IptEntryCodec}).
 *
 * <p>Call it on a thread inside the namespace to read; the socket is opened in the thread's namespace.
 */
public final class IptTableReader {
    /** getsockopt, which the libc binding of native-bindings does not have. */
    public interface SockOpt {
        int getsockopt(int fd, int level, int optname, @Out ByteBuffer optval, @In @Out int[] optlen);
    }

    private static final int AF_INET = 2;
    private static final int SOCK_RAW = 3;
    private static final int IPPROTO_RAW = 255;
    private static final int SOL_IP = 0;
    private static final int IPT_SO_GET_INFO = 64;
    private static final int IPT_SO_GET_ENTRIES = 65;
    /** struct ipt_getinfo: name[32], valid_hooks, hook_entry[5], underflow[5], num_entries, size. */
    private static final int GETINFO_SIZE = 84;
    /** struct ipt_get_entries header: name[32], u32 size, padded to the entries' 8-byte alignment. */
    private static final int GET_ENTRIES_HEADER = 40;
    private static final int HOOKS = 5;
    private static final String[] HOOK_NAMES = {"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"};

    private static final class Holder {
        static final SockOpt SOCKOPT = LibraryLoader.create(SockOpt.class).load("c");
    }

    /** One chain: built-in ones have a policy, user ones null. Rules exclude the head, tail and policy entries. */
    public record ChainEntries(String name, String policy, List<IptcHandle.RawRule> rules) {
    }

    private IptTableReader() {
    }

    /** The table's chains in blob order (built-ins in hook order, then user chains as libiptc sorted them). */
    public static List<ChainEntries> read(String table) {
        byte[] name = table.getBytes(StandardCharsets.US_ASCII);
        if (name.length >= 32) {
            throw new IllegalArgumentException("table name too long: " + table);
        }
        int fd = Native.libc().socket(AF_INET, SOCK_RAW | Native.SOCK_CLOEXEC, IPPROTO_RAW);
        if (fd < 0) {
            throw new ErrnoException("socket(AF_INET, SOCK_RAW, IPPROTO_RAW)", Native.errno());
        }
        try {
            for (int attempt = 0; ; attempt++) {
                ByteBuffer info = ByteBuffer.allocateDirect(GETINFO_SIZE).order(ByteOrder.nativeOrder());
                info.put(0, name);
                getsockopt(fd, IPT_SO_GET_INFO, info, "IPT_SO_GET_INFO(" + table + ")");
                int size = info.getInt(80);
                ByteBuffer blob = ByteBuffer.allocateDirect(GET_ENTRIES_HEADER + size).order(ByteOrder.nativeOrder());
                blob.put(0, name);
                blob.putInt(32, size);
                try {
                    getsockopt(fd, IPT_SO_GET_ENTRIES, blob, "IPT_SO_GET_ENTRIES(" + table + ")");
                } catch (ErrnoException e) {
                    // The table changed size between the two calls (someone committed): read again.
                    if (e.errno() == Errno.EAGAIN && attempt < 10) {
                        continue;
                    }
                    throw e;
                }
                int[] hookEntry = new int[HOOKS];
                int[] underflow = new int[HOOKS];
                int valid = info.getInt(32);
                for (int h = 0; h < HOOKS; h++) {
                    hookEntry[h] = (valid & (1 << h)) != 0 ? info.getInt(36 + 4 * h) : -1;
                    underflow[h] = (valid & (1 << h)) != 0 ? info.getInt(56 + 4 * h) : -1;
                }
                byte[] bytes = new byte[size];
                blob.get(GET_ENTRIES_HEADER, bytes);
                return split(bytes, hookEntry, underflow);
            }
        } finally {
            Native.libc().close(fd);
        }
    }

    private static void getsockopt(int fd, int opt, ByteBuffer buf, String what) {
        int[] len = {buf.capacity()};
        if (Holder.SOCKOPT.getsockopt(fd, SOL_IP, opt, buf, len) != 0) {
            throw new ErrnoException("getsockopt " + what, Native.errno());
        }
    }

    /** Splits a blob; package-visible for tests on synthetic blobs. {@code -1} marks an absent hook. */
    static List<ChainEntries> split(byte[] blob, int[] hookEntry, int[] underflow) {
        ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.nativeOrder());
        // Pass 1: entry offsets, and where each user chain's first rule is (what a jump's verdict names).
        List<Integer> offsets = new ArrayList<>();
        Map<Integer, String> chainAt = new HashMap<>();
        for (int off = 0; off < blob.length; ) {
            offsets.add(off);
            int next = Short.toUnsignedInt(b.getShort(off + XtLayout.ENTRY_NEXT_OFFSET));
            if (next < XtLayout.ENTRY_SIZE || off + next > blob.length) {
                throw new IllegalArgumentException("bad entry at offset " + off);
            }
            String err = errorName(blob, b, off);
            if (err != null && !err.equals("ERROR")) {
                chainAt.put(off + next, err);
            }
            off += next;
        }
        List<ChainEntries> chains = new ArrayList<>();
        String chain = null;
        String policy = null;
        int hook = -1;
        List<IptcHandle.RawRule> rules = null;
        for (int i = 0; i < offsets.size(); i++) {
            int off = offsets.get(i);
            int next = Short.toUnsignedInt(b.getShort(off + XtLayout.ENTRY_NEXT_OFFSET));
            for (int h = 0; h < HOOKS; h++) {
                if (hookEntry[h] == off) {
                    chain = HOOK_NAMES[h];
                    hook = h;
                    rules = new ArrayList<>();
                }
            }
            String err = errorName(blob, b, off);
            if (err != null) {
                if (err.equals("ERROR")) {
                    break; // end of table
                }
                chain = err;
                hook = -1;
                rules = new ArrayList<>();
                continue;
            }
            if (chain == null) {
                throw new IllegalArgumentException("entry at offset " + off + " belongs to no chain");
            }
            byte[] entry = java.util.Arrays.copyOfRange(blob, off, off + next);
            boolean userTail = hook < 0 && i + 1 < offsets.size() && errorName(blob, b, offsets.get(i + 1)) != null;
            if (hook >= 0 && off == underflow[hook]) {
                policy = IptEntryCodec.targetName(entry);
                chains.add(new ChainEntries(chain, policy, rules));
                chain = null;
                continue;
            }
            if (userTail) {
                chains.add(new ChainEntries(chain, null, rules));
                chain = null;
                continue;
            }
            String target = IptEntryCodec.targetName(entry);
            if (target == null) {
                int verdict = b.getInt(off + Short.toUnsignedInt(b.getShort(off + XtLayout.ENTRY_TARGET_OFFSET))
                        + XtLayout.XT_HEADER);
                target = chainAt.get(verdict);
                if (target == null) {
                    throw new IllegalArgumentException("jump at offset " + off + " to " + verdict + ", no chain starts there");
                }
            }
            rules.add(new IptcHandle.RawRule(entry, target));
        }
        return chains;
    }

    /** The ERROR target's errorname (a user chain's head, or "ERROR" at the end), else null. */
    private static String errorName(byte[] blob, ByteBuffer b, int off) {
        int t = off + Short.toUnsignedInt(b.getShort(off + XtLayout.ENTRY_TARGET_OFFSET));
        if (blob[t + XtLayout.XT_NAME] != 'E' || !"ERROR".equals(IptEntryCodec.name(blob, t))) {
            return null;
        }
        int at = t + XtLayout.XT_HEADER;
        int len = 0;
        while (len < 30 && blob[at + len] != 0) {
            len++;
        }
        return new String(blob, at, len, StandardCharsets.US_ASCII);
    }

}
