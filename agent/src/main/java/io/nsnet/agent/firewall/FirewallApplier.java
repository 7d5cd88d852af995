package io.nsnet.agent.firewall;

import io.nsnet.agent.firewall.FirewallState.Network;
import io.nsnet.agent.firewall.model.Ruleset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes one namespace's iptables to the ruleset a {@link FirewallState} asks for, one transaction per change,
 * through a {@link FirewallBackend} (the iptables programs, libiptc or nf_tables; below, "save" and "restore"
 * stand for the backend's read and commit).
 *
 * <p>Two entry points, one planner:
 * <ul>
 *   <li>{@link #apply(FirewallState)} reads the live ruleset ({@code iptables-save}), diffs and restores. It
 *       repairs anything changed behind nsnet's back (a flushed {@code P}, a deleted jump); when nothing differs
 *       no restore runs. Use it at start, after errors, and whenever correctness matters more than ~1 save.</li>
 *   <li>{@link #applyIncremental(FirewallState)} diffs against the ruleset this applier itself left last
 *       time, skipping the save: no process at all when nothing changed, one restore otherwise. It trusts that
 *       cache only for scripts whose every command is right whatever others did meanwhile ({@code -A},
 *       {@code -I} at the top, {@code -D} by spec, whole owned-chain rewrites); a numbered {@code -I CHAIN n}
 *       would be shifted by a foreign rule inserted meanwhile, so a script that needs one is re-planned on a
 *       fresh read. For a new network, whose FORWARD block belongs right below nsnet's two jumps, it can
 *       instead delete the jumps by spec and re-insert jumps and block from the top in the same transaction
 *       (as Docker re-asserts its jumps): it does so for legacy and for nft rulesets of
 *       {@value #NFT_READ_BELOW_RULES} rules or more, where that is cheaper than a read. If the restore fails
 *       (a {@code -D} no longer matches) it falls back to {@link #apply(FirewallState)}.</li>
 * </ul>
 *
 * <p>Ownership of rules in built-in chains is decided by {@link Ownership} from the networks of the desired
 * state, of every state this instance applied since its last successful teardown, and of networks the caller
 * names as retired. Methods are synchronized: one transaction at a time per applier (the xtables lock only
 * covers the legacy variant).
 *
 * <p>Empty state vs teardown: applying a state with no networks keeps nsnet's base chains and jumps (as a
 * Docker daemon without networks does). {@link #teardown} removes everything nsnet made, {@code P-USER}
 * included, so the ruleset returns to what it was before nsnet, byte for byte as iptables-save prints it
 * (one exception: a legacy table that nsnet's use first instantiated in a namespace cannot be unloaded and
 * stays, empty; see {@link #dropEmptyNftTables()} for nft).
 */
public final class FirewallApplier {

    private static final Logger LOG = LoggerFactory.getLogger(FirewallApplier.class);
    /** Below this many rules (filter + nat) a fresh nft read is cheaper than a position-free delete. */
    static final int NFT_READ_BELOW_RULES = 3000;
    /** Plans made again when another writer commits between nsnet's read and its commit (nftables backend). */
    private static final int MAX_ATTEMPTS = 5;

    private final IptablesVariant variant;
    /**
     * How the tables are read and committed (iptables programs, libiptc, nf_tables). Planning, ownership and
     * caching are the same for every backend.
     */
    private final FirewallBackend backend;
    private final ChainNames names;
    /**
     * Networks whose rules may still be in the kernel, one definition per bridge (the newest). After a successful
     * apply this is that state's own (immutable) list, kept as it is: refilling a map with every network after
     * each change was ~1000 puts per create at 1000 networks.
     */
    private List<Network> known = List.of();
    /** Rules generated for earlier plans, reused while their networks and ports stay (see {@link RuleMemo}). */
    private final RuleMemo memo = RuleMemo.create();
    /** The filter and nat tables as this applier last saw or left them; null when unknown. */
    private Ruleset cached;

    /**
     * @param exec        runs the iptables programs (in the right namespace)
     * @param variant     which iptables to use; see {@link BackendDetector}
     * @param chainPrefix the prefix every state given to this applier must carry
     */
    public FirewallApplier(IptablesExec exec, IptablesVariant variant, String chainPrefix) {
        this(new RestoreProcessBackend(exec, variant), variant, chainPrefix);
    }

    /**
     * An applier whose reads and commits go through {@code backend} instead of iptables processes.
     *
     * @param variant the tables the backend works on (libiptc: {@link IptablesVariant#LEGACY})
     */
    public FirewallApplier(FirewallBackend backend, IptablesVariant variant, String chainPrefix) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.variant = Objects.requireNonNull(variant, "variant");
        this.names = new ChainNames(chainPrefix);
    }

    /** Detects the variant ({@link BackendDetector}) and builds the applier. */
    public static FirewallApplier create(IptablesExec exec, BackendChoice choice, String chainPrefix) {
        if (choice == BackendChoice.LIBIPTC || choice == BackendChoice.NFTABLES) {
            throw new IllegalArgumentException("in-process backends need the host namespace: use create(NetNs, ...)");
        }
        return new FirewallApplier(exec, BackendDetector.detect(exec, choice), chainPrefix);
    }

    /**
     * Picks the backend ({@link BackendDetector#choose}) and builds the applier; libiptc runs on workers inside
     * {@code host}, the process backends through {@code exec}.
     */
    public static FirewallApplier create(io.nsnet.netns.NetNs host, IptablesExec exec, BackendChoice choice,
            String chainPrefix) {
        BackendDetector.Choice c = BackendDetector.choose(exec, choice, LibiptcBackend::available);
        return switch (c.access()) {
            case LIBIPTC -> new FirewallApplier(new LibiptcBackend(host), c.variant(), chainPrefix);
            case NFTABLES -> new FirewallApplier(new NftBackend(host), c.variant(), chainPrefix);
            case PROCESS -> new FirewallApplier(exec, c.variant(), chainPrefix);
        };
    }

    /** "libiptc", "nftables", or the iptables variant whose programs run ("nft", "legacy"). */
    public String backendName() {
        return backend.name();
    }

    /**
     * The explicit choice that builds this same backend in another namespace (no detection there: an empty
     * namespace could detect differently from the host).
     */
    public BackendChoice choice() {
        if (backend instanceof NftBackend) {
            return BackendChoice.NFTABLES;
        }
        if (backend instanceof LibiptcBackend) {
            return BackendChoice.LIBIPTC;
        }
        if (backend instanceof RestoreProcessBackend p) {
            return p.variant() == IptablesVariant.LEGACY ? BackendChoice.LEGACY : BackendChoice.NFT;
        }
        throw new IllegalStateException("no configuration choice builds backend " + backend.name());
    }

    public IptablesVariant variant() {
        return variant;
    }

    public ChainNames chainNames() {
        return names;
    }

    public synchronized ApplyResult apply(FirewallState state) {
        return apply(state, List.of());
    }

    /**
     * @param retired networks nsnet made earlier that are no longer in {@code state} and whose rules may still
     *                be in the kernel (e.g. deleted while the daemon was down); their rules are removed
     */
    public synchronized ApplyResult apply(FirewallState state, Collection<Network> retired) {
        checkPrefix(state);
        for (int attempt = 1; ; attempt++) {
            Ruleset live = readLive();
            try {
                return run(state, retired, live, true);
            } catch (NftBackend.ConcurrentChangeException e) {
                // Someone committed between our read and our commit and nothing was applied: plan again.
                if (attempt == MAX_ATTEMPTS) {
                    throw e;
                }
                LOG.debug("firewall changed concurrently, planning again: {}", e.getMessage());
            }
        }
    }

    public synchronized ApplyResult applyIncremental(FirewallState state) {
        checkPrefix(state);
        if (backend.cheapReads()) {
            return apply(state); // the read is a generation check: plan on the live ruleset, positions and all
        }
        if (cached == null) {
            return apply(state);
        }
        // Numbered inserts need the live ruleset: either read it, or plan position-free (a head that needs one
        // is deleted by spec and re-inserted from the top). On nft a transaction that deletes rules costs
        // ~8-13 ms more at any size, while a save costs ~4-5 ms per 1000 rules (FirewallBench), so small nft
        // rulesets plan with numbered inserts and re-read when they need one; large ones, and legacy (cheap
        // deletes), plan position-free.
        boolean positionFree = variant != IptablesVariant.NFT || ruleCount(cached) >= NFT_READ_BELOW_RULES;
        RestorePlan plan = plan(state, List.of(), cached, positionFree);
        if (plan.positional()) {
            return apply(state);
        }
        try {
            return execute(state, List.of(), plan, false);
        } catch (FirewallException e) {
            LOG.warn("incremental firewall update failed, re-reading the live ruleset: {}", e.getMessage());
            cached = null;
            return apply(state);
        }
    }

    /**
     * Removes every rule and chain nsnet made ({@code P-USER} included).
     *
     * @param retired networks beyond those this applier has applied whose rules should go too
     */
    public synchronized ApplyResult teardown(Collection<Network> retired) {
        Ruleset live = readLive();
        List<Network> owned = new ArrayList<>(known);
        owned.addAll(retired);
        RestorePlan plan = RestorePlanner.planTeardown(live, names, new Ownership(names, owned));
        restore(plan);
        known = List.of();
        cached = plan.expectedAfter();
        if (variant == IptablesVariant.NFT && plan.commands() > 0) {
            dropEmptyNftTables();
        }
        return new ApplyResult(plan.commands(), plan.script(), true);
    }

    /**
     * iptables-nft creates the nf_tables tables on first use, and iptables-save prints a table that exists even
     * when it is empty, so a namespace that had no iptables rules before nsnet would not read back as before.
     * A table that is entirely empty after teardown (no rules, no user chains, default policies) is therefore
     * removed ({@link FirewallBackend#dropTable}). The check is made on a fresh read right before, to keep the
     * window for a concurrent writer small. Legacy tables cannot be removed from userspace; they stay, empty.
     */
    private void dropEmptyNftTables() {
        Ruleset now = readLive();
        for (io.nsnet.agent.firewall.model.TableName t : io.nsnet.agent.firewall.model.TableName.values()) {
            io.nsnet.agent.firewall.model.Table table = now.tables().get(t);
            if (table != null && table.chains().values().stream().allMatch(c -> !c.isUserDefined()
                    && c.rules().isEmpty() && "ACCEPT".equals(c.policy()))) {
                backend.dropTable(t);
                cached = null;
            }
        }
    }

    /**
     * Sets a built-in filter chain's policy (dockerd sets FORWARD to DROP when it turns routing on), each backend
     * its own way ({@code iptables -w -P}, or the restore line {@code :CHAIN POLICY [0:0]} in-process).
     */
    public synchronized void setFilterPolicy(String chain, String policy) {
        backend.setFilterPolicy(chain, policy);
        cached = null; // the cache holds policies too; the next incremental apply re-reads
    }

    /** The live filter and nat tables, as the backend reads them (e.g. one iptables-save). */
    public synchronized Ruleset readLive() {
        return backend.readLive();
    }

    private ApplyResult run(FirewallState state, Collection<Network> retired, Ruleset live, boolean readLive) {
        return execute(state, retired, plan(state, retired, live, false), readLive);
    }

    private RestorePlan plan(FirewallState state, Collection<Network> retired, Ruleset live, boolean positionFree) {
        List<Network> owned = new ArrayList<>(state.networks().size() + known.size() + retired.size());
        owned.addAll(state.networks());
        owned.addAll(known);
        owned.addAll(retired);
        memo.nextRound();
        return RestorePlanner.plan(live, RulesetGenerator.generate(state, memo), new Ownership(names, owned, memo),
                positionFree);
    }

    private ApplyResult execute(FirewallState state, Collection<Network> retired, RestorePlan plan, boolean readLive) {
        if (!plan.isEmpty()) {
            try {
                restore(plan);
            } catch (FirewallException e) {
                // Nothing was committed (the transaction is atomic); remember what may still be there.
                Map<String, Network> all = new LinkedHashMap<>();
                for (Collection<Network> c : List.of(known, retired, state.networks())) {
                    c.forEach(n -> all.put(n.bridge(), n));
                }
                known = List.copyOf(all.values());
                throw e;
            }
        }
        known = state.networks();
        cached = plan.expectedAfter();
        return new ApplyResult(plan.commands(), plan.script(), readLive);
    }

    private void restore(RestorePlan plan) {
        if (plan.isEmpty()) {
            return;
        }
        backend.commit(plan);
        LOG.debug("applied {} firewall commands through {}", plan.commands(), backend.name());
    }

    private static int ruleCount(Ruleset rs) {
        int n = 0;
        for (io.nsnet.agent.firewall.model.Table t : rs.tables().values()) {
            for (io.nsnet.agent.firewall.model.Chain c : t.chains().values()) {
                n += c.rules().size();
            }
        }
        return n;
    }

    private void checkPrefix(FirewallState state) {
        if (!state.chainPrefix().equals(names.prefix())) {
            throw new IllegalArgumentException("state has chain prefix " + state.chainPrefix()
                    + " but this applier manages " + names.prefix());
        }
    }
}
