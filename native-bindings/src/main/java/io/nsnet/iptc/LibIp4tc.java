package io.nsnet.iptc;

import java.nio.ByteBuffer;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * libip4tc (iptables 1.8.9, legacy x_tables) as bound through JNR-FFI. Declarations follow
 * {@code libiptc/libiptc.h}; {@code struct xtc_handle *} is an opaque {@link Pointer}.
 *
 * <p>Int-returning calls return 1 on success and 0 on failure with errno set (read it with
 * {@code Runtime.getLastError()} on the same thread, before any other native call). Rule pointers returned by
 * {@code iptc_first_rule}/{@code iptc_next_rule} point into the handle's cache and die with the handle.
 * Entries are passed as direct buffers marked {@code @In}: libiptc copies them, so nothing is copied back.
 */
public interface LibIp4tc {
    Pointer iptc_init(String table);

    void iptc_free(Pointer handle);

    int iptc_is_chain(String chain, Pointer handle);

    String iptc_first_chain(Pointer handle);

    String iptc_next_chain(Pointer handle);

    Pointer iptc_first_rule(String chain, Pointer handle);

    Pointer iptc_next_rule(Pointer previous, Pointer handle);

    String iptc_get_target(Pointer entry, Pointer handle);

    int iptc_builtin(String chain, Pointer handle);

    /** {@code counters} (struct xt_counters, 16 bytes) is written; it must not be null. */
    String iptc_get_policy(String chain, @Out ByteBuffer counters, Pointer handle);

    int iptc_insert_entry(String chain, @In ByteBuffer entry, int rulenum, Pointer handle);

    int iptc_replace_entry(String chain, @In ByteBuffer entry, int rulenum, Pointer handle);

    int iptc_append_entry(String chain, @In ByteBuffer entry, Pointer handle);

    /**
     * Deletes the first rule equal to {@code origfw} as iptables -D does: fields compared byte by byte where
     * {@code matchmask} (same length as the entry) has 1-bits; names and sizes always.
     */
    int iptc_delete_entry(String chain, @In ByteBuffer origfw, @In ByteBuffer matchmask, Pointer handle);

    int iptc_delete_num_entry(String chain, int rulenum, Pointer handle);

    int iptc_flush_entries(String chain, Pointer handle);

    int iptc_create_chain(String chain, Pointer handle);

    int iptc_delete_chain(String chain, Pointer handle);

    /** {@code counters} may be null (keep the chain's counters). */
    int iptc_set_policy(String chain, String policy, @In ByteBuffer counters, Pointer handle);

    int iptc_commit(Pointer handle);

    String iptc_strerror(int errnum);
}
