/**
 * nsnet's iptables layer: Docker 20.10's bridge-driver layout as desired state, applied as one
 * {@code iptables-restore --noflush --wait} transaction per change.
 *
 * <h2>Pieces</h2>
 * <ul>
 *   <li>{@link io.nsnet.agent.firewall.model}: tables, chains, rules; {@code SaveFormat} parses iptables-save
 *       output and renders restore input; rules outside nsnet's vocabulary stay verbatim
 *       ({@code ForeignRule}).</li>
 *   <li>{@link io.nsnet.agent.firewall.FirewallState} → {@link io.nsnet.agent.firewall.RulesetGenerator}
 *       (pure) → {@link io.nsnet.agent.firewall.DesiredRuleset}. Golden tests hold it to Docker's captures.</li>
 *   <li>{@link io.nsnet.agent.firewall.RestorePlanner} diffs live against desired into one script;
 *       {@link io.nsnet.agent.firewall.FirewallApplier} reads, plans and runs it through an
 *       {@link io.nsnet.agent.firewall.IptablesExec} (argument vectors, no shell; namespace chosen by the
 *       implementation, e.g. {@link io.nsnet.agent.firewall.NetnsIptablesExec}).</li>
 *   <li>{@link io.nsnet.agent.firewall.LibiptcBackend} ({@code --firewall-backend libiptc}, and {@code auto} on
 *       legacy hosts where libip4tc loads) carries the same plan out in-process: the script parsed
 *       ({@link io.nsnet.agent.firewall.RestoreScript}), rules encoded as x_tables entries
 *       ({@link io.nsnet.agent.firewall.IptcRuleCodec}, {@code io.nsnet.iptc}), one {@code iptc_commit} per
 *       table under the xtables lock; reads are one getsockopt per table.</li>
 *   <li>All three ways of reading and committing are {@link io.nsnet.agent.firewall.FirewallBackend}s: the iptables
 *       programs ({@link io.nsnet.agent.firewall.RestoreProcessBackend}), libiptc and nf_tables.</li>
 *   <li>{@link io.nsnet.agent.firewall.NftBackend} ({@code --firewall-backend nftables}, and {@code auto} on nft
 *       hosts) carries the same plan out over nf_tables netlink ({@code io.nsnet.nft}): rules encoded as
 *       iptables-nft 1.8.9 encodes them, placed and deleted by handle, one batch per change that the kernel
 *       refuses if the ruleset generation moved since nsnet's read; while nothing moved, a read is one generation
 *       check against the backend's mirror.</li>
 *   <li>{@link io.nsnet.agent.firewall.RuleMemo} keeps the generator's rule objects per network across plans,
 *       so a change at 1000 networks does not rebuild and re-render 8000 rule texts.</li>
 *   <li>{@link io.nsnet.agent.firewall.BackendDetector} picks nft or legacy;
 *       {@link io.nsnet.agent.firewall.Sysctl#required} lists the sysctls a state needs.</li>
 * </ul>
 *
 * <h2>Decisions</h2>
 * <ul>
 *   <li><b>What is nsnet's in a built-in chain</b> ({@link io.nsnet.agent.firewall.Ownership}): jumps to nsnet's
 *       chains, and rules of exactly a generated shape that name an owned bridge (or, for hairpin MASQUERADE,
 *       an address in an owned subnet). Owned = networks of the desired state, of states this applier applied,
 *       and retired networks the caller names. Nothing else is ever deleted or moved.</li>
 *   <li><b>Owned chains</b> ({@code P}, {@code P-ISOLATION-STAGE-1/2}, nat {@code P}) contain only nsnet's
 *       rules: patched when the difference is small, else rewritten whole; an external flush is repaired by
 *       the next {@code apply}. {@code P-USER} is created once with {@code -j RETURN} and never rewritten.</li>
 *   <li><b>Empty state vs teardown</b>: applying a state without networks keeps the base chains and jumps, as
 *       dockerd does. {@code teardown} removes all of nsnet, {@code P-USER} included, returning the ruleset to
 *       what it was before nsnet (nft: emptied tables are dropped; legacy tables cannot be, and stay empty).</li>
 *   <li><b>Policies</b> are not managed here: setting FORWARD to DROP when enabling ip_forward, as dockerd does,
 *       is the daemon's decision; the applier only carries it out ({@code setFilterPolicy}) so that each backend
 *       does it its own way.</li>
 * </ul>
 */
package io.nsnet.agent.firewall;
