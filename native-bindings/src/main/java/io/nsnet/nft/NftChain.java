package io.nsnet.nft;

import java.util.Objects;

/**
 * A chain as the kernel lists it. A base chain has a hook (and with it a type, priority and policy); a user
 * chain has none and is reached only by jumps.
 *
 * @param policy NF_ACCEPT or NF_DROP for a base chain; null for a user chain
 */
public record NftChain(String table, String name, long handle, Hook hook, Integer policy) {

    /** Where a base chain is attached: {@code type TYPE hook HOOKNUM priority PRIORITY}. */
    public record Hook(int hooknum, int priority, String type) {
        public Hook {
            Objects.requireNonNull(type, "type");
        }
    }

    public NftChain {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(name, "name");
    }

    public boolean isBase() {
        return hook != null;
    }
}
