package io.nsnet.agent.firewall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nsnet.agent.firewall.FirewallState.Endpoint;
import io.nsnet.agent.firewall.FirewallState.Network;
import io.nsnet.agent.firewall.FirewallState.Protocol;
import io.nsnet.agent.firewall.FirewallState.PublishedPort;
import io.nsnet.agent.firewall.model.ForeignRule;
import io.nsnet.agent.firewall.model.Negatable;
import io.nsnet.agent.firewall.model.Rule;
import io.nsnet.agent.firewall.model.RuleParser;
import io.nsnet.agent.firewall.model.RuleSpec;
import io.nsnet.agent.firewall.model.Target;
import io.nsnet.iptc.IptEntry;
import io.nsnet.iptc.IptEntryCodec;
import io.nsnet.iptc.IptIp;
import io.nsnet.iptc.XtMatch;
import io.nsnet.iptc.XtTarget;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RuleSpec ↔ libiptc entry, without a kernel (IptcBackendKernelTest checks against iptables-legacy-save). */
class IptcRuleCodecTest {

    static List<FirewallState> layouts() {
        List<Network> nets = List.of(Network.bridge("docker0", "172.17.0.0/16"), Network.bridge("br-a", "172.18.0.0/16"),
                new Network("br-int", "172.19.0.0/16", true, true, true), new Network("br-noicc", "10.9.0.0/24", false, false, true));
        List<Endpoint> eps = List.of(new Endpoint("172.17.0.2", "docker0", List.of(PublishedPort.tcp(8080, 80))),
                new Endpoint("172.18.0.3", "br-a", List.of(new PublishedPort(null, 5353, 53, Protocol.UDP),
                        new PublishedPort("127.0.0.1", 8443, 443, Protocol.TCP))));
        return List.of(new FirewallState("DOCKER", true, nets, eps), new FirewallState("DOCKER", false, nets, eps));
    }

    @Test
    void everyRuleTheGeneratorWritesRoundTripsThroughTheEntryBytes() {
        int n = 0;
        for (FirewallState s : layouts()) {
            for (ChainPlan p : RulesetGenerator.generate(s).plans()) {
                for (RuleSpec r : p.rules()) {
                    IptEntry e = IptcRuleCodec.toEntry(r);
                    byte[] bytes = IptEntryCodec.encode(e);
                    String name = e.target() instanceof XtTarget.Jump j ? j.chain()
                            : e.target() instanceof XtTarget.Verdict v ? v.name() : null;
                    Rule back = IptcRuleCodec.toRule(IptEntryCodec.decode(IptEntryCodec.asKernelForm(bytes), name));
                    assertThat(back).as(r.spec()).isInstanceOf(RuleSpec.class);
                    assertThat(back.spec()).isEqualTo(r.spec());
                    n++;
                }
            }
        }
        assertThat(n).isGreaterThan(40);
    }

    @Test
    void fieldsMapAsIptablesWritesThem() {
        RuleSpec r = (RuleSpec) RuleParser.parse(
                "-d 127.0.0.1/32 ! -i docker0 -p tcp -m tcp --dport 8443 -j DNAT --to-destination 172.18.0.3:443");
        IptEntry e = IptcRuleCodec.toEntry(r);
        assertThat(e.ip()).isEqualTo(IptIp.ANY.withDestination(0x7F000001, -1, false).withIn("docker0", true).withProto(6, false));
        assertThat(e.matches()).containsExactly(XtMatch.Tcp.dport(8443));
        assertThat(e.target()).isEqualTo(XtTarget.Dnat.to(0xAC120003, 443));
        for (String to : List.of("10.0.0.1", "10.0.0.1-10.0.0.9", "10.0.0.1:80-89", "10.0.0.1-10.0.0.2:80")) {
            RuleSpec d = RuleSpec.of(Target.dnat(to)).withProtocol("tcp");
            assertThat(IptcRuleCodec.toRule(IptcRuleCodec.toEntry(d))).isEqualTo(d);
        }
        RuleSpec ct = (RuleSpec) RuleParser.parse("-o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
        assertThat(IptcRuleCodec.toEntry(ct).matches())
                .containsExactly(new XtMatch.Conntrack(XtMatch.Conntrack.RELATED | XtMatch.Conntrack.ESTABLISHED, false));
        RuleSpec at = (RuleSpec) RuleParser.parse("! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER");
        assertThat(IptcRuleCodec.toEntry(at).matches()).containsExactly(new XtMatch.Addrtype(0, XtMatch.Addrtype.LOCAL, 0));
        assertThat(IptcRuleCodec.toEntry(at).target()).isEqualTo(new XtTarget.Jump("DOCKER"));
    }

    @Test
    void entriesTheModelCannotSayExactlyAreForeign() {
        List<IptEntry> odd = new ArrayList<>();
        IptIp tcp = IptIp.ANY.withProto(6, false);
        odd.add(new IptEntry(IptIp.ANY.withProto(17, true), List.of(), XtTarget.Verdict.ACCEPT)); // ! -p udp
        odd.add(new IptEntry(IptIp.ANY.withProto(47, false), List.of(), XtTarget.Verdict.ACCEPT)); // -p gre
        odd.add(new IptEntry(tcp, List.of(new XtMatch.Tcp(22, 22, 0, 0xFFFF, 0, 0, 0, 0)), XtTarget.Verdict.DROP)); // --sport
        odd.add(new IptEntry(tcp, List.of(XtMatch.Udp.dport(53)), XtTarget.Verdict.DROP)); // udp match on tcp
        odd.add(new IptEntry(IptIp.ANY, List.of(new XtMatch.Conntrack(2, false), new XtMatch.Addrtype(4, 0, 0)),
                XtTarget.Verdict.ACCEPT)); // matches in an order RuleSpec does not render
        odd.add(new IptEntry(IptIp.ANY, List.of(new XtMatch.Conntrack(2, true)), XtTarget.Verdict.ACCEPT)); // ! --ctstate
        odd.add(new IptEntry(IptIp.ANY, List.of(new XtMatch.Addrtype(4, 0, XtMatch.Addrtype.INVERT_SOURCE)),
                XtTarget.Verdict.ACCEPT));
        odd.add(new IptEntry(IptIp.ANY, List.of(new XtMatch.Unknown("mark", 1, "0100000001000000")), XtTarget.Verdict.ACCEPT));
        odd.add(new IptEntry(IptIp.ANY, List.of(), new XtTarget.Verdict("QUEUE")));
        odd.add(new IptEntry(IptIp.ANY, List.of(), new XtTarget.Masquerade(4, 0, 0))); // --random
        odd.add(new IptEntry(IptIp.ANY, List.of(), new XtTarget.Dnat(1 | 16, 1, 2, 0, 0))); // --random-fully
        odd.add(new IptEntry(IptIp.ANY, List.of(), new XtTarget.Unknown("LOG", 0, "00".repeat(32))));
        odd.add(new IptEntry(new IptIp(0x0A000000, 0xFF00FF00, 0, 0, null, null, 0, 0, 0), List.of(), XtTarget.Verdict.DROP));
        for (IptEntry e : odd) {
            Rule r = IptcRuleCodec.toRule(e);
            assertThat(r).as(e.toString()).isInstanceOf(ForeignRule.class);
            assertThat(r.spec()).startsWith("<libiptc ");
        }
        assertThat(IptcRuleCodec.toRule(odd.get(1))).isNotEqualTo(IptcRuleCodec.toRule(odd.get(0)));
    }

    @Test
    void refusesWhatItCannotEncode() {
        assertThatThrownBy(() -> IptcRuleCodec.toEntry(RuleSpec.of(Target.ACCEPT).withProtocol("sctp")))
                .hasMessageContaining("sctp");
        assertThatThrownBy(() -> IptcRuleCodec.toEntry(RuleSpec.of(Target.dnat("172.17.0.2:http"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IptcRuleCodec.toEntry(RuleSpec.of(Target.ACCEPT).withSrcType("LOCALISH")))
                .hasMessageContaining("LOCALISH");
        assertThat(IptcRuleCodec.toEntry(RuleSpec.of(Target.ACCEPT).withSource(Negatable.not("10.0.0.0/8"))).ip().inverted(IptIp.INV_SRCIP))
                .isTrue();
    }
}
