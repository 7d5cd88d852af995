package io.nsnet.agent.firewall;

import io.nsnet.agent.firewall.FirewallState.Network;
import io.nsnet.agent.firewall.model.Negatable;
import io.nsnet.agent.firewall.model.Rule;
import io.nsnet.agent.firewall.model.RuleSpec;
import io.nsnet.agent.firewall.model.Target;
import java.util.Collection;
import java.util.Set;

/**
 * Decides which rules in the built-in chains (filter FORWARD, nat PREROUTING/OUTPUT/POSTROUTING) are nsnet's.
 * Everything else there is foreign and is never deleted, moved or rewritten.
 *
 * <p>Design: a rule is nsnet's when it has exactly one of the shapes the generator emits <em>and</em> names
 * something nsnet owns:
 * <ul>
 *   <li>any rule whose target is one of nsnet's chains ({@code P}, {@code P-USER}, {@code P-ISOLATION-STAGE-*});
 *       nobody else has a reason to jump there, and it makes a stale layout's jump (e.g. the other OUTPUT variant
 *       after switching the userland proxy) recognisable;</li>
 *   <li>a network rule (conntrack ACCEPT, outgoing ACCEPT, icc ACCEPT/DROP, subnet MASQUERADE, local MASQUERADE)
 *       for a bridge in the owned set;</li>
 *   <li>a hairpin MASQUERADE {@code -s X/32 -d X/32 -p P -m P --dport N} whose X lies in an owned subnet.</li>
 * </ul>
 * The owned set is the networks of the desired state plus those of every state this applier applied before
 * plus any the caller names as retired (e.g. found at daemon start for objects no longer in its store). Matching
 * the exact shape, not merely the bridge name, means an administrator's own rule about an nsnet bridge (say
 * {@code -A FORWARD -i nsn-1 -p tcp --dport 22 -j DROP}) stays untouched. Knowing deleted networks is what
 * lets a delete work without the previous desired ruleset: the shapes are recomputed from bridge and subnet.
 */
public final class Ownership {

    private final Set<String> chains;
    /** Owned networks' subnets as text; parsed only when a hairpin rule needs them (most plans have none). */
    private final java.util.List<Network> networks;
    private java.util.List<Ipv4Prefix> subnets;
    /**
     * The first owned network of each bridge; its fixed-shape rules are looked up only for rules naming it. Made on
     * first use: a plan asks about few rules (those that differ from the desired ones), and building it for
     * ~2000 owned entries (desired + applied before) was a tenth of a plan at 1000 networks.
     */
    private java.util.Map<String, Network> byBridge;
    private final java.util.Map<String, RuleMemo.NetworkRules> shapesByBridge = new java.util.HashMap<>();
    private final ChainNames names;
    private final RuleMemo memo;

    public Ownership(ChainNames names, Collection<Network> networks) {
        this(names, networks, RuleMemo.NONE);
    }

    /**
     * As above, taking the shapes' rule objects (and their interned text) from the planner's memo. Built in
     * O(networks) without rendering anything: a rule's shapes are only made when a rule names that bridge.
     */
    public Ownership(ChainNames names, Collection<Network> networks, RuleMemo memo) {
        this.chains = names.all();
        this.names = names;
        this.memo = memo;
        this.networks = java.util.List.copyOf(networks);
    }

    private java.util.Map<String, Network> byBridge() {
        if (byBridge == null) {
            java.util.Map<String, Network> m = new java.util.HashMap<>(networks.size() * 2);
            for (Network n : networks) {
                m.putIfAbsent(n.bridge(), n);
            }
            byBridge = m;
        }
        return byBridge;
    }

    /** Whether the rule is one of the five fixed network shapes of the bridge it names. */
    private boolean isShape(RuleSpec r) {
        Negatable iface = r.outInterface() != null ? r.outInterface() : r.inInterface();
        if (iface == null) {
            return false;
        }
        Network n = byBridge().get(iface.value());
        if (n == null) {
            return false;
        }
        RuleMemo.NetworkRules s = shapesByBridge.computeIfAbsent(n.bridge(), b -> memo.network(n, names));
        String spec = r.spec();
        return spec.equals(s.conntrack().spec()) || spec.equals(s.outgoing().spec()) || spec.equals(s.iccAccept().spec())
                || spec.equals(s.iccDrop().spec()) || spec.equals(s.localMasq().spec());
    }

    public boolean isNsnet(Rule rule) {
        if (!(rule instanceof RuleSpec r)) {
            return false;
        }
        if (r.target() instanceof Target.Jump j && chains.contains(j.chain())) {
            return true;
        }
        if (r.comment() != null) {
            return false;
        }
        if (isShape(r)) {
            return true;
        }
        // -s S ! -o B -j MASQUERADE (any S: the subnet may have been reassigned)
        if (r.target() instanceof Target.Masquerade && r.outInterface() != null && r.outInterface().negated()
                && byBridge().containsKey(r.outInterface().value()) && r.source() != null && !r.source().negated()
                && r.equals(RuleSpec.of(Target.MASQUERADE).withSource(r.source()).withOut(r.outInterface()))) {
            return true;
        }
        return isHairpin(r);
    }

    private boolean isHairpin(RuleSpec r) {
        if (!(r.target() instanceof Target.Masquerade) || r.source() == null || r.dport() == null
                || !r.source().equals(r.destination()) || r.source().negated() || !r.source().value().endsWith("/32")) {
            return false;
        }
        RuleSpec shape = RuleSpec.of(Target.MASQUERADE).withSource(r.source()).withDestination(r.destination())
                .withProtocol(r.protocol()).withDport(r.protocol(), r.dport());
        if (!r.equals(shape)) {
            return false;
        }
        int ip;
        try {
            ip = Ipv4Prefix.parse(r.source().value()).address();
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (subnets == null) {
            subnets = networks.stream().map(Network::subnet).distinct().map(Ipv4Prefix::parse).toList();
        }
        for (Ipv4Prefix s : subnets) {
            if (s.contains(ip)) {
                return true;
            }
        }
        return false;
    }

}
