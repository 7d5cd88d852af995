package io.nsnet.nft;

import java.util.List;
import java.util.Objects;

/** A rule as the kernel lists it: where it is, its handle (unique within its table) and its expressions. */
public record NftRule(String table, String chain, long handle, List<Expr> exprs) {
    public NftRule {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(chain, "chain");
        exprs = List.copyOf(exprs);
    }
}
