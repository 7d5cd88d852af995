package io.nsnet.iptc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

import jnr.ffi.Pointer;

/**
 * One libiptc transaction on one table: {@link #open} reads the whole table from the kernel into libiptc's
 * cache, the edit methods change that cache, {@link #commit} replaces the table in the kernel atomically (one
 * {@code IPT_SO_SET_REPLACE}), {@link #close} frees the cache. Nothing reaches the kernel before commit.
 *
 * <p>Threading: libiptc opens its raw socket in the network namespace of the calling thread, is not
 * thread-safe, and keeps process-global state (the function that failed last, for {@code iptc_strerror}). So
 * a handle is confined to the thread that opened it (every method checks and throws
 * {@link IllegalStateException} otherwise), and handles are serialised process-wide: {@link #open} takes a
 * process lock that {@link #close} releases. The lock is reentrant, so one thread may hold a filter and a nat
 * handle at once. Open the handle on a worker inside the target namespace (e.g. within
 * {@code NetNs.call}) and close it before the task returns.
 */
public final class IptcHandle implements AutoCloseable {
    /** Serialises libiptc use in this process; see the class comment. */
    private static final ReentrantLock PROCESS_LOCK = new ReentrantLock();

    private final LibIp4tc lib;
    private final String table;
    private final Thread owner;
    private Pointer handle;
    /** Reused for entries passed to libiptc (it copies them); grown on demand. */
    private ByteBuffer scratch = ByteBuffer.allocateDirect(1024).order(ByteOrder.nativeOrder());
    /** All ones, at least as long as the entry being deleted; see {@link #deleteMatching}. */
    private ByteBuffer mask;

    private IptcHandle(LibIp4tc lib, String table, Pointer handle) {
        this.lib = lib;
        this.table = table;
        this.handle = handle;
        this.owner = Thread.currentThread();
    }

    /** {@code iptc_init(table)}: takes the process lock and snapshots the table. */
    public static IptcHandle open(String table) {
        Objects.requireNonNull(table, "table");
        LibIp4tc lib = Ip4tc.lib();
        PROCESS_LOCK.lock();
        try {
            Pointer h = lib.iptc_init(table);
            if (h == null) {
                int errno = Ip4tc.errno();
                throw new IptcException("iptc_init(" + table + ")", errno, lib.iptc_strerror(errno));
            }
            return new IptcHandle(lib, table, h);
        } catch (RuntimeException | Error e) {
            PROCESS_LOCK.unlock();
            throw e;
        }
    }

    public String table() {
        return table;
    }

    /** Chain names in libiptc's order: built-in chains first (hook order), then user chains sorted. */
    public List<String> chains() {
        Pointer h = live();
        List<String> out = new ArrayList<>();
        for (String c = lib.iptc_first_chain(h); c != null; c = lib.iptc_next_chain(h)) {
            out.add(c);
        }
        return out;
    }

    public boolean isChain(String chain) {
        return lib.iptc_is_chain(chain, live()) != 0;
    }

    public boolean isBuiltin(String chain) {
        return lib.iptc_builtin(chain, live()) != 0;
    }

    /** The built-in chain's policy ("ACCEPT"/"DROP"), or null for a user-defined chain. */
    public String policy(String chain) {
        ByteBuffer counters = ByteBuffer.allocateDirect(16);
        return lib.iptc_get_policy(chain, counters, live());
    }

    /** One rule as libiptc holds it: the raw {@code struct ipt_entry} bytes and its target's name. */
    public record RawRule(byte[] entry, String target) {
    }

    /**
     * The chain's rules: each entry copied out of libiptc's cache ({@code next_offset} bytes) together with
     * {@code iptc_get_target}, which names standard verdicts ("ACCEPT", "RETURN"…) and resolves a jump's offset
     * to the chain name; the entry itself holds only the kernel's verdict number.
     */
    public List<RawRule> rules(String chain) {
        Pointer h = live();
        List<RawRule> out = new ArrayList<>();
        for (Pointer e = lib.iptc_first_rule(chain, h); e != null; e = lib.iptc_next_rule(e, h)) {
            int size = Short.toUnsignedInt(e.getShort(XtLayout.ENTRY_NEXT_OFFSET));
            byte[] bytes = new byte[size];
            e.get(0, bytes, 0, size);
            // Only a jump needs libiptc to name its target (the entry holds an offset); every other name is in
            // the bytes, and skipping the call (and its String) halves the cost of reading a large chain.
            String target = IptEntryCodec.targetName(bytes);
            out.add(new RawRule(bytes, target != null ? target : lib.iptc_get_target(e, h)));
        }
        if (out.isEmpty() && !isChain(chain)) {
            throw new IptcException("iptc_first_rule(" + chain + ")", io.nsnet.libc.Errno.ENOENT,
                    "No chain/target/match by that name");
        }
        return out;
    }

    public void createChain(String chain) {
        check(lib.iptc_create_chain(chain, live()), "iptc_create_chain", chain);
    }

    public void deleteChain(String chain) {
        check(lib.iptc_delete_chain(chain, live()), "iptc_delete_chain", chain);
    }

    public void flush(String chain) {
        check(lib.iptc_flush_entries(chain, live()), "iptc_flush_entries", chain);
    }

    /** Inserts before rule {@code index} (0-based; libiptc counts from 0, iptables' -I from 1). */
    public void insert(String chain, byte[] entry, int index) {
        check(lib.iptc_insert_entry(chain, buffer(entry), index, live()), "iptc_insert_entry", chain);
    }

    public void replace(String chain, byte[] entry, int index) {
        check(lib.iptc_replace_entry(chain, buffer(entry), index, live()), "iptc_replace_entry", chain);
    }

    public void append(String chain, byte[] entry) {
        check(lib.iptc_append_entry(chain, buffer(entry), live()), "iptc_append_entry", chain);
    }

    /**
     * Deletes the first rule equal to {@code entry} (as {@code iptables -D CHAIN spec}): libiptc compares the
     * header fields, each match's name, size and data, and the target (a jump by its resolved chain), never
     * counters. The mask covers the whole entry because every extension nsnet writes is compared in full by
     * iptables too (their {@code userspacesize} is the whole struct).
     */
    public void deleteMatching(String chain, byte[] entry) {
        ByteBuffer e = buffer(entry);
        if (mask == null || mask.capacity() < entry.length) {
            mask = ByteBuffer.allocateDirect(Math.max(entry.length, 512));
            while (mask.hasRemaining()) {
                mask.put((byte) 0xFF);
            }
        }
        mask.clear();
        check(lib.iptc_delete_entry(chain, e, mask, live()), "iptc_delete_entry", chain);
    }

    /** Deletes rule {@code index} (0-based). */
    public void delete(String chain, int index) {
        check(lib.iptc_delete_num_entry(chain, index, live()), "iptc_delete_num_entry", chain);
    }

    public void setPolicy(String chain, String policy) {
        check(lib.iptc_set_policy(chain, policy, null, live()), "iptc_set_policy", chain);
    }

    /** Replaces the table in the kernel with the edited cache, atomically. The handle stays usable only for close. */
    public void commit() {
        check(lib.iptc_commit(live()), "iptc_commit", table);
    }

    @Override
    public void close() {
        if (handle == null) {
            return;
        }
        confined();
        try {
            lib.iptc_free(handle);
        } finally {
            handle = null;
            PROCESS_LOCK.unlock();
        }
    }

    private ByteBuffer buffer(byte[] entry) {
        if (entry.length < XtLayout.ENTRY_SIZE) {
            throw new IllegalArgumentException("not an ipt_entry: " + entry.length + " bytes");
        }
        if (scratch.capacity() < entry.length) {
            scratch = ByteBuffer.allocateDirect(Math.max(entry.length, scratch.capacity() * 2))
                    .order(ByteOrder.nativeOrder());
        }
        scratch.clear();
        scratch.put(entry).flip();
        return scratch;
    }

    private void check(int rc, String op, String chain) {
        if (rc == 0) {
            int errno = Ip4tc.errno();
            throw new IptcException(op + "(" + table + "/" + chain + ")", errno, lib.iptc_strerror(errno));
        }
    }

    private Pointer live() {
        confined();
        if (handle == null) {
            throw new IllegalStateException("libiptc handle for table " + table + " is closed");
        }
        return handle;
    }

    private void confined() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("libiptc handle for table " + table + " belongs to thread "
                    + owner.getName() + ", used from " + Thread.currentThread().getName());
        }
    }

    @Override
    public String toString() {
        return "libiptc " + table + (handle == null ? " (closed)" : "");
    }
}
