package io.nsnet.nft;

import java.util.List;
import java.util.Map;

/**
 * Some tables of one family read at a single ruleset generation: the generation did not move between the
 * first and the last message of the read, so the lists are exactly what the kernel held at {@code genId}.
 *
 * @param tables the requested tables that exist
 * @param chains per table, in the kernel's order (handle order)
 * @param rules  per table and chain, in chain order
 */
public record NftSnapshot(int genId, List<String> tables, Map<String, List<NftChain>> chains,
        Map<String, Map<String, List<NftRule>>> rules) {
}
