package io.nsnet.agent.firewall;

import io.nsnet.agent.firewall.FirewallState.Endpoint;
import io.nsnet.agent.firewall.FirewallState.Network;
import io.nsnet.agent.firewall.FirewallState.PublishedPort;
import io.nsnet.agent.firewall.model.RuleSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The published ports' rules, for one list of endpoints: their DNATs (nat {@code P}, after the networks' RETURNs),
 * ACCEPTs (filter {@code P}) and hairpin MASQUERADEs (POSTROUTING's tail), each list in endpoint order, then port
 * order, as {@link RulesetGenerator} makes them.
 *
 * <p>Why: publishing a port adds one endpoint at the end of the list and leaves the others' objects as they were
 * (the daemon keeps one record per unchanged sandbox row). The memo keeps the last lists ({@link RuleMemo#ports}),
 * and lists for the same endpoints plus newer ones are the old lists with the newer endpoints' rules appended. At
 * ~400 published sandboxes, looking every port's three rules up in the memo (records hashed field by field, slow
 * on C1) was a large part of each attach with a port. Anything else (an endpoint removed or changed, a network
 * changed or removed, the layout switched) is built from scratch, which is always the same result.
 */
final class PortRuleLists {

    private final boolean proxy;
    /** The endpoints these lists are for, in the state's order, compared by identity. */
    private final Endpoint[] endpoints;
    final List<RuleSpec> dnat;
    final List<RuleSpec> accept;
    final List<RuleSpec> hairpin;

    private PortRuleLists(boolean proxy, Endpoint[] endpoints, List<RuleSpec> dnat, List<RuleSpec> accept,
            List<RuleSpec> hairpin) {
        this.proxy = proxy;
        this.endpoints = endpoints;
        this.dnat = dnat;
        this.accept = accept;
        this.hairpin = hairpin;
    }

    /**
     * The lists for {@code endpoints}, extending {@code previous} when its endpoints are the first of these (the
     * same objects) under the same layout, and {@code networksKept} says every network of the previous generation
     * is still there, unchanged (an endpoint's rules depend on whether its network is internal).
     *
     * @param networkOf the network of a bridge (only asked about the endpoints whose rules are made)
     */
    static PortRuleLists of(List<Endpoint> endpoints, Function<String, Network> networkOf, boolean proxy,
            boolean networksKept, RuleMemo memo, PortRuleLists previous) {
        Endpoint[] now = endpoints.toArray(new Endpoint[0]);
        boolean extend = previous != null && networksKept && previous.isPrefixOf(now, proxy);
        int kept = extend ? previous.endpoints.length : 0;
        List<RuleSpec> dnat = new ArrayList<>();
        List<RuleSpec> accept = new ArrayList<>();
        List<RuleSpec> hairpin = new ArrayList<>();
        if (extend) {
            dnat.addAll(previous.dnat);
            accept.addAll(previous.accept);
            hairpin.addAll(previous.hairpin);
            memo.countUsed(previous.dnat.size() + previous.accept.size() + previous.hairpin.size());
        }
        for (int i = kept; i < now.length; i++) {
            Endpoint e = now[i];
            if (networkOf.apply(e.bridge()).internal()) {
                continue; // Docker never programs ports published on an internal network
            }
            for (PublishedPort p : e.ports()) {
                dnat.add(memo.get(proxy ? "dnat-proxy" : "dnat", e, p, () -> RulesetGenerator.dnatRule(e, p, proxy)));
                accept.add(memo.get("publish", e, p, () -> RulesetGenerator.publishAccept(e, p)));
                hairpin.add(memo.get("hairpin", e, p, () -> RulesetGenerator.hairpinMasquerade(e, p)));
            }
        }
        return new PortRuleLists(proxy, now, List.copyOf(dnat), List.copyOf(accept), List.copyOf(hairpin));
    }

    private boolean isPrefixOf(Endpoint[] now, boolean proxy) {
        if (this.proxy != proxy || now.length < endpoints.length) {
            return false;
        }
        for (int i = 0; i < endpoints.length; i++) {
            if (now[i] != endpoints[i]) {
                return false;
            }
        }
        return true;
    }
}
