package io.nsnet.agent.firewall;

import io.nsnet.agent.firewall.FirewallState.Network;
import io.nsnet.agent.firewall.model.Negatable;
import io.nsnet.agent.firewall.model.RuleSpec;
import io.nsnet.agent.firewall.model.Target;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Remembers the rules the generator made for each network and port, so that the next plan reuses the same
 * {@link RuleSpec} objects, whose rendered text is cached.
 *
 * <p>Why: planning compares rules by their text, and at 1000 networks a change re-generated ~8000 rules and
 * rendered their text again (with Ownership's shapes, about half of a ~3 ms plan) only to find them all
 * unchanged but one network's. The generator stays a pure function of the state: the memo only returns an equal
 * rule made earlier. Entries not asked for during a round are dropped once they outnumber the live ones, so
 * the memo never holds much more than the current state's rules.
 *
 * <p>Not thread-safe: one per applier, used under its lock. {@link #NONE} remembers nothing.
 */
public final class RuleMemo {

    /** A memo that remembers nothing (for one-off generation). */
    public static final RuleMemo NONE = new RuleMemo(false);

    /**
     * A hand-written key rather than a record: the daemon runs on C1 only (for its memory footprint), where a
     * record's generated equals/hashCode stay slow calls; ~8000 lookups per plan at 1000 networks made that
     * the memo's main cost. Kinds are string literals, compared by identity.
     */
    private static final class Key {
        final String kind;
        final Object a;
        final Object b;
        final int hash;

        Key(String kind, Object a, Object b) {
            this.kind = kind;
            this.a = a;
            this.b = b;
            this.hash = (System.identityHashCode(kind) * 31 + a.hashCode()) * 31 + (b == null ? 0 : b.hashCode());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && k.kind == kind && k.a.equals(a)
                    && (b == null ? k.b == null : b.equals(k.b));
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private static final class Held {
        final RuleSpec rule;
        long round;

        Held(RuleSpec rule, long round) {
            this.rule = rule;
            this.round = round;
        }
    }

    /**
     * One network's rules, made on first use. Found by bridge name (a String: its hash is cached) and valid
     * while the network's definition is the same; a redefined network gets a fresh bundle.
     */
    static final class NetworkRules {
        /** The definition the rules were made for; replaced by an equal one seen later (see {@link #network}). */
        Network network;
        final ChainNames chains;
        long round;
        private RuleSpec conntrack;
        private RuleSpec mainJump;
        private RuleSpec outgoing;
        private RuleSpec iccAccept;
        private RuleSpec iccDrop;
        private RuleSpec iso1;
        private RuleSpec iso2;
        private RuleSpec localMasq;
        private RuleSpec netMasq;
        private RuleSpec natReturn;
        private RuleSpec internalOut;
        private RuleSpec internalIn;

        NetworkRules(Network network, ChainNames chains, long round) {
            this.network = network;
            this.chains = chains;
            this.round = round;
        }

        private String b() {
            return network.bridge();
        }

        RuleSpec conntrack() {
            return conntrack != null ? conntrack : (conntrack = RulesetGenerator.conntrackRule(b()));
        }

        RuleSpec mainJump() {
            return mainJump != null ? mainJump
                    : (mainJump = RuleSpec.of(Target.jump(chains.main())).withOut(Negatable.is(b())));
        }

        RuleSpec outgoing() {
            return outgoing != null ? outgoing : (outgoing = RulesetGenerator.outgoingAccept(b()));
        }

        RuleSpec iccAccept() {
            return iccAccept != null ? iccAccept : (iccAccept = RulesetGenerator.iccRule(b(), Target.ACCEPT));
        }

        RuleSpec iccDrop() {
            return iccDrop != null ? iccDrop : (iccDrop = RulesetGenerator.iccRule(b(), Target.DROP));
        }

        RuleSpec iso1() {
            return iso1 != null ? iso1 : (iso1 = RuleSpec.of(Target.jump(chains.isolation2()))
                    .withIn(Negatable.is(b())).withOut(Negatable.not(b())));
        }

        RuleSpec iso2() {
            return iso2 != null ? iso2 : (iso2 = RuleSpec.of(Target.DROP).withOut(Negatable.is(b())));
        }

        RuleSpec localMasq() {
            return localMasq != null ? localMasq : (localMasq = RulesetGenerator.localMasquerade(b()));
        }

        RuleSpec netMasq() {
            return netMasq != null ? netMasq : (netMasq = RulesetGenerator.networkMasquerade(network));
        }

        RuleSpec natReturn() {
            return natReturn != null ? natReturn : (natReturn = RuleSpec.of(Target.RETURN).withIn(Negatable.is(b())));
        }

        RuleSpec internalOut() {
            return internalOut != null ? internalOut : (internalOut = RuleSpec.of(Target.DROP)
                    .withSource(Negatable.not(network.subnet())).withOut(Negatable.is(b())));
        }

        RuleSpec internalIn() {
            return internalIn != null ? internalIn : (internalIn = RuleSpec.of(Target.DROP)
                    .withDestination(Negatable.not(network.subnet())).withIn(Negatable.is(b())));
        }
    }

    private final boolean enabled;
    private final Map<Key, Held> held = new HashMap<>();
    private final Map<String, NetworkRules> byBridge = new HashMap<>();
    private int networksThisRound;
    /** The networks' rule lists of the last generation. */
    private NetworkRuleLists lists;
    /** The published ports' rule lists of the last generation. */
    private PortRuleLists ports;
    private long round;
    private int usedThisRound;

    private RuleMemo(boolean enabled) {
        this.enabled = enabled;
    }

    public static RuleMemo create() {
        return new RuleMemo(true);
    }

    /** The rule of this kind for these arguments, made by {@code make} only the first time. */
    RuleSpec get(String kind, Object a, Object b, Supplier<RuleSpec> make) {
        if (!enabled) {
            return make.get();
        }
        Key k = new Key(kind, a, b);
        Held h = held.get(k);
        if (h == null) {
            h = new Held(make.get(), round);
            held.put(k, h);
            usedThisRound++;
        } else if (h.round != round) {
            h.round = round;
            usedThisRound++;
        }
        return h.rule;
    }

    /** The rules of one network (made on first use, remembered while the network stays as it is). */
    NetworkRules network(Network n, ChainNames chains) {
        if (!enabled) {
            return new NetworkRules(n, chains, round);
        }
        NetworkRules r = byBridge.get(n.bridge());
        if (r == null || !same(r.network, n) || !r.chains.prefix().equals(chains.prefix())) {
            r = new NetworkRules(n, chains, round);
            byBridge.put(n.bridge(), r);
            networksThisRound++;
        } else {
            // An equal definition in a new object (the caller made a new one when the network's state changed,
            // e.g. creating -> ready): remember this one, so the next plan finds it by identity instead of
            // comparing every network's fields again (at 1000 networks those string compares were a tenth of
            // planning).
            r.network = n;
        }
        if (r.round != round) {
            r.round = round;
            networksThisRound++;
        }
        return r;
    }

    /** Counts a bundle as used this round without looking it up (it came from {@link #lists}'s last result). */
    void touch(NetworkRules r) {
        if (r.round != round) {
            r.round = round;
            networksThisRound++;
        }
    }

    /**
     * The networks' rule lists for {@code networks}, extending the last ones asked for when these are those
     * networks plus newer ones (see {@link NetworkRuleLists}).
     */
    NetworkRuleLists lists(java.util.List<Network> networks, ChainNames chains, boolean proxy) {
        NetworkRuleLists l = NetworkRuleLists.of(networks, chains, proxy, this, enabled ? lists : null);
        if (enabled) {
            lists = l;
        }
        return l;
    }

    /**
     * The published ports' rule lists for {@code endpoints}, extending the last ones asked for when these are those
     * endpoints plus newer ones and the networks were kept (see {@link PortRuleLists}).
     */
    PortRuleLists ports(java.util.List<FirewallState.Endpoint> endpoints,
            java.util.function.Function<String, Network> networkOf, boolean proxy, boolean networksKept) {
        PortRuleLists p = PortRuleLists.of(endpoints, networkOf, proxy, networksKept, this, enabled ? ports : null);
        if (enabled) {
            ports = p;
        }
        return p;
    }

    /** Counts rules taken over from an earlier generation as used this round (they are not looked up). */
    void countUsed(int rules) {
        usedThisRound += rules;
    }

    /** Field by field: a record's generated equals is a slow call on C1 (see {@link Key}). */
    private static boolean same(Network a, Network b) {
        return a == b || (a.subnet().equals(b.subnet()) && a.internal() == b.internal() && a.icc() == b.icc()
                && a.masquerade() == b.masquerade() && a.bridge().equals(b.bridge()));
    }

    /** Starts a plan: what the previous rounds asked for and this one does not is forgotten when it piles up. */
    public void nextRound() {
        if (!enabled) {
            return;
        }
        if (byBridge.size() > 2 * networksThisRound + 64) {
            byBridge.values().removeIf(r -> r.round != round);
        }
        networksThisRound = 0;
        if (held.size() > 2 * usedThisRound + 256) {
            for (Iterator<Held> it = held.values().iterator(); it.hasNext(); ) {
                if (it.next().round != round) {
                    it.remove();
                }
            }
        }
        round++;
        usedThisRound = 0;
    }

    int size() {
        return held.size() + byBridge.size();
    }
}
