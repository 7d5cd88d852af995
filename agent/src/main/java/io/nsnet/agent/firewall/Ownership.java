package io.nsnet.agent.firewall;

import io.nsnet.agent.firewall.FirewallState.Network;
import io.nsnet.agent.firewall.model.Rule;
import io.nsnet.agent.firewall.model.RuleSpec;
import io.nsnet.agent.firewall.model.Target;
import java.util.Collection;
import java.util.HashSet;
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
    private final Set<String> bridges = new HashSet<>();
    /** Owned networks' subnets as text; parsed only when a hairpin rule needs them (most plans have none). */
    private final Set<String> subnetTexts = new HashSet<>();
    private java.util.List<Ipv4Prefix> subnets;
    /** Exact specs of every fixed-shape network rule for every owned bridge: one hash lookup per rule. */
    private final Set<String> shapes = new HashSet<>();

    public Ownership(ChainNames names, Collection<Network> networks) {
        this(names, networks, RuleMemo.NONE);
    }

    /** As above, taking the shapes' rule objects (and their rendered text) from the planner's memo. */
    public Ownership(ChainNames names, Collection<Network> networks, RuleMemo memo) {
        this.chains = names.all();
        for (Network n : networks) {
            String b = n.bridge();
            if (bridges.add(b)) {
                // The generator's objects for this network, so both share one rule (and its text) per shape.
                RuleMemo.NetworkRules r = memo.network(n, names);
                shapes.add(r.conntrack().spec());
                shapes.add(r.localMasq().spec());
                shapes.add(r.iccAccept().spec());
                shapes.add(r.iccDrop().spec());
                shapes.add(r.outgoing().spec());
            }
            subnetTexts.add(n.subnet());
        }
    }

    public Set<String> bridges() {
        return Set.copyOf(bridges);
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
        if (shapes.contains(r.spec())) {
            return true;
        }
        // -s S ! -o B -j MASQUERADE (any S: the subnet may have been reassigned)
        if (r.target() instanceof Target.Masquerade && r.outInterface() != null && r.outInterface().negated()
                && bridges.contains(r.outInterface().value()) && r.source() != null && !r.source().negated()
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
            subnets = subnetTexts.stream().map(Ipv4Prefix::parse).toList();
        }
        for (Ipv4Prefix s : subnets) {
            if (s.contains(ip)) {
                return true;
            }
        }
        return false;
    }

}
