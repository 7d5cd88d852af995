package io.nsnet.agent.firewall;

import io.nsnet.agent.firewall.FirewallState.Network;
import io.nsnet.agent.firewall.model.RuleSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The networks' share of each chain the generator writes, for one list of networks: what {@link RulesetGenerator}
 * puts in those chains before the fixed and the per-port rules.
 *
 * <p>Why a value of its own: the common change is a network created, which appends one network to the state's
 * list and leaves every other network object as it was. The memo keeps the last lists ({@link RuleMemo#lists}),
 * and lists for the same networks plus newer ones are the newer networks' rules put in front (their order is
 * newest first, as Docker's {@code -I} leaves them) or, for the icc DROPs, after (oldest first, as its {@code -A}).
 * At 1000 networks, walking every network (a memo lookup and up to eight list adds each) was 0.35-0.5 ms of every
 * create; now a create renders one network and copies the rest. Anything else (a network removed or changed, the
 * layout switched) is built from scratch, which is always the same result.
 */
final class NetworkRuleLists {

    final ChainNames chains;
    final boolean proxy;
    /** The networks these lists are for, oldest first (the state's order), compared by identity. */
    private final Network[] networks;
    /** Whether these lists extend the previous ones, every network of those kept as it was. */
    final boolean extended;
    /** Each network's rule bundle from the memo, in the same order. */
    private final RuleMemo.NetworkRules[] rules;
    /** FORWARD after nsnet's two jumps, newest network first. */
    final List<RuleSpec> forward;
    /** FORWARD's tail: the icc DROPs of networks with icc off, oldest first. */
    final List<RuleSpec> forwardTail;
    final List<RuleSpec> isolation1;
    final List<RuleSpec> isolation2;
    /** POSTROUTING's head. */
    final List<RuleSpec> postrouting;
    /** nat {@code P}: the RETURNs of masquerading networks (with the userland proxy), before any port's DNAT. */
    final List<RuleSpec> natMain;

    private NetworkRuleLists(ChainNames chains, boolean proxy, Network[] networks, boolean extended,
            RuleMemo.NetworkRules[] rules,
            List<RuleSpec> forward, List<RuleSpec> forwardTail, List<RuleSpec> isolation1, List<RuleSpec> isolation2,
            List<RuleSpec> postrouting, List<RuleSpec> natMain) {
        this.chains = chains;
        this.proxy = proxy;
        this.networks = networks;
        this.extended = extended;
        this.rules = rules;
        this.forward = forward;
        this.forwardTail = forwardTail;
        this.isolation1 = isolation1;
        this.isolation2 = isolation2;
        this.postrouting = postrouting;
        this.natMain = natMain;
    }

    /**
     * The lists for {@code networks} (oldest first), extending {@code previous} when its networks are the first
     * of these, the very same objects, under the same chain names and layout; otherwise built whole.
     */
    static NetworkRuleLists of(List<Network> networks, ChainNames c, boolean proxy, RuleMemo memo,
            NetworkRuleLists previous) {
        Network[] now = networks.toArray(new Network[0]);
        boolean extend = previous != null && previous.isPrefixOf(now, c, proxy);
        int kept = extend ? previous.networks.length : 0;
        RuleMemo.NetworkRules[] rules = new RuleMemo.NetworkRules[now.length];
        for (int i = 0; i < kept; i++) {
            rules[i] = previous.rules[i];
            memo.touch(rules[i]); // still in use: the memo must not forget it
        }
        List<RuleSpec> forward = new ArrayList<>();
        List<RuleSpec> iso1 = new ArrayList<>();
        List<RuleSpec> iso2 = new ArrayList<>();
        List<RuleSpec> post = new ArrayList<>();
        List<RuleSpec> nat = new ArrayList<>();
        for (int i = now.length - 1; i >= kept; i--) {
            Network n = now[i];
            RuleMemo.NetworkRules r = memo.network(n, c);
            rules[i] = r;
            if (n.internal()) {
                if (n.icc()) {
                    forward.add(r.iccAccept());
                }
                iso1.add(r.internalOut());
                iso1.add(r.internalIn());
                continue;
            }
            forward.add(r.conntrack());
            forward.add(r.mainJump());
            forward.add(r.outgoing());
            if (n.icc()) {
                forward.add(r.iccAccept());
            }
            iso1.add(r.iso1());
            iso2.add(r.iso2());
            if (!proxy) {
                post.add(r.localMasq());
            }
            if (n.masquerade()) {
                post.add(r.netMasq());
                if (proxy) {
                    nat.add(r.natReturn());
                }
            }
        }
        List<RuleSpec> tail = new ArrayList<>();
        if (kept > 0) {
            forward.addAll(previous.forward);
            iso1.addAll(previous.isolation1);
            iso2.addAll(previous.isolation2);
            post.addAll(previous.postrouting);
            nat.addAll(previous.natMain);
            tail.addAll(previous.forwardTail);
        }
        for (int i = kept; i < now.length; i++) {
            if (!now[i].icc()) {
                tail.add(rules[i].iccDrop());
            }
        }
        return new NetworkRuleLists(c, proxy, now, extend, rules, List.copyOf(forward), List.copyOf(tail), List.copyOf(iso1),
                List.copyOf(iso2), List.copyOf(post), List.copyOf(nat));
    }

    private boolean isPrefixOf(Network[] now, ChainNames c, boolean proxy) {
        if (this.proxy != proxy || !chains.prefix().equals(c.prefix()) || now.length < networks.length) {
            return false;
        }
        for (int i = 0; i < networks.length; i++) {
            if (now[i] != networks[i]) {
                return false;
            }
        }
        return true;
    }
}
