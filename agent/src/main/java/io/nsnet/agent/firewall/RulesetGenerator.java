package io.nsnet.agent.firewall;

import static io.nsnet.agent.firewall.model.Negatable.is;
import static io.nsnet.agent.firewall.model.Negatable.not;

import io.nsnet.agent.firewall.FirewallState.Endpoint;
import io.nsnet.agent.firewall.FirewallState.Network;
import io.nsnet.agent.firewall.FirewallState.PublishedPort;
import io.nsnet.agent.firewall.model.RuleSpec;
import io.nsnet.agent.firewall.model.TableName;
import io.nsnet.agent.firewall.model.Target;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * State → desired ruleset, pure. Reproduces Docker 20.10's bridge driver rule for rule (see the golden tests):
 *
 * <ul>
 *   <li>Per network Docker runs {@code -I} (insert at the top), so networks appear newest first in FORWARD,
 *       POSTROUTING, nat {@code P} and both isolation chains, and then re-inserts the FORWARD jumps so that
 *       {@code P-USER} and {@code P-ISOLATION-STAGE-1} stay on top.</li>
 *   <li>{@code icc=false} appends {@code -i B -o B -j DROP} to FORWARD, so those come last, oldest first.</li>
 *   <li>Published ports are appended ({@code -A}), so they come after the network rules, oldest first, in the
 *       order the endpoint lists them.</li>
 *   <li>Internal networks get only their FORWARD icc rule and two isolation DROPs, no nat rules; ports published
 *       on them are ignored, as Docker never programs them.</li>
 * </ul>
 */
public final class RulesetGenerator {

    private static final String LOOPBACK = "127.0.0.0/8";

    private RulesetGenerator() {
    }

    public static DesiredRuleset generate(FirewallState state) {
        return generate(state, RuleMemo.NONE);
    }

    /** As {@link #generate(FirewallState)}, reusing rule objects the memo holds from earlier plans. */
    public static DesiredRuleset generate(FirewallState state, RuleMemo memo) {
        ChainNames c = state.chains();
        boolean proxy = state.userlandProxy();
        NetworkRuleLists nets = memo.lists(state.networks(), c, proxy);
        List<RuleSpec> forwardHead = new ArrayList<>(nets.forward.size() + 2);
        forwardHead.add(RuleSpec.of(Target.jump(c.user())));
        forwardHead.add(RuleSpec.of(Target.jump(c.isolation1())));
        forwardHead.addAll(nets.forward);
        List<RuleSpec> iso1 = new ArrayList<>(nets.isolation1.size() + 1);
        iso1.addAll(nets.isolation1);
        iso1.add(RuleSpec.of(Target.RETURN));
        List<RuleSpec> iso2 = new ArrayList<>(nets.isolation2.size() + 1);
        iso2.addAll(nets.isolation2);
        iso2.add(RuleSpec.of(Target.RETURN));
        List<RuleSpec> postHead = nets.postrouting;
        List<RuleSpec> forwardTail = nets.forwardTail;
        List<RuleSpec> natMain = new ArrayList<>(nets.natMain);

        // Published ports: nat DNAT in P, filter ACCEPT in P, hairpin MASQUERADE in POSTROUTING. Only the endpoints
        // whose rules are made need a network by bridge: the map is built on first use (a map of every network
        // cost ~1000 puts per plan at 1000 networks).
        Map<String, Network> byBridge = new HashMap<>();
        PortRuleLists ports = memo.ports(state.endpoints(), bridge -> {
            if (byBridge.isEmpty()) {
                state.networks().forEach(n -> byBridge.put(n.bridge(), n));
            }
            return byBridge.get(bridge);
        }, proxy, nets.extended);
        natMain.addAll(ports.dnat);
        List<RuleSpec> filterMain = ports.accept;
        List<RuleSpec> postTail = ports.hairpin;

        RuleSpec localJump = RuleSpec.of(Target.jump(c.main())).withDstType("LOCAL");
        RuleSpec outputJump = proxy ? localJump.withDestination(not(LOOPBACK)) : localJump;

        List<ChainPlan> plans = List.of(
                builtin(TableName.FILTER, "FORWARD", forwardHead, forwardTail),
                owned(TableName.FILTER, c.main(), filterMain),
                owned(TableName.FILTER, c.isolation1(), iso1),
                owned(TableName.FILTER, c.isolation2(), iso2),
                new ChainPlan(TableName.FILTER, c.user(), ChainPlan.Kind.ADMIN, List.of(RuleSpec.of(Target.RETURN)), List.of()),
                builtin(TableName.NAT, "PREROUTING", List.of(), List.of(localJump)),
                builtin(TableName.NAT, "OUTPUT", List.of(), List.of(outputJump)),
                builtin(TableName.NAT, "POSTROUTING", postHead, postTail),
                owned(TableName.NAT, c.main(), natMain));
        return new DesiredRuleset(c, plans);
    }

    private static ChainPlan builtin(TableName t, String chain, List<RuleSpec> head, List<RuleSpec> tail) {
        return new ChainPlan(t, chain, ChainPlan.Kind.BUILTIN, head, tail);
    }

    private static ChainPlan owned(TableName t, String chain, List<RuleSpec> rules) {
        return new ChainPlan(t, chain, ChainPlan.Kind.OWNED, rules, List.of());
    }

    // The rule shapes below are also used by Ownership to recognise nsnet's rules in built-in chains.

    static RuleSpec conntrackRule(String bridge) {
        return RuleSpec.of(Target.ACCEPT).withOut(is(bridge)).withCtstate("RELATED,ESTABLISHED");
    }

    static RuleSpec iccRule(String bridge, Target target) {
        return RuleSpec.of(target).withIn(is(bridge)).withOut(is(bridge));
    }

    static RuleSpec outgoingAccept(String bridge) {
        return RuleSpec.of(Target.ACCEPT).withIn(is(bridge)).withOut(not(bridge));
    }

    static RuleSpec localMasquerade(String bridge) {
        return RuleSpec.of(Target.MASQUERADE).withOut(is(bridge)).withSrcType("LOCAL");
    }

    static RuleSpec networkMasquerade(Network n) {
        return RuleSpec.of(Target.MASQUERADE).withSource(is(n.subnet())).withOut(not(n.bridge()));
    }

    static RuleSpec dnatRule(Endpoint e, PublishedPort p, boolean proxy) {
        RuleSpec r = RuleSpec.of(Target.dnat(e.ip() + ":" + p.containerPort()))
                .withDport(p.protocol().id(), p.hostPort())
                .withProtocol(p.protocol().id());
        if (p.hostIp() != null) {
            r = r.withDestination(is(p.hostIp() + "/32"));
        }
        if (proxy) {
            // With the proxy, traffic from the bridge itself is left to the proxy (hairpin off).
            r = r.withIn(not(e.bridge()));
        }
        return r;
    }

    static RuleSpec publishAccept(Endpoint e, PublishedPort p) {
        return RuleSpec.of(Target.ACCEPT)
                .withDestination(is(e.ip() + "/32"))
                .withIn(not(e.bridge()))
                .withOut(is(e.bridge()))
                .withProtocol(p.protocol().id())
                .withDport(p.protocol().id(), p.containerPort());
    }

    static RuleSpec hairpinMasquerade(Endpoint e, PublishedPort p) {
        return RuleSpec.of(Target.MASQUERADE)
                .withSource(is(e.ip() + "/32"))
                .withDestination(is(e.ip() + "/32"))
                .withProtocol(p.protocol().id())
                .withDport(p.protocol().id(), p.containerPort());
    }
}
