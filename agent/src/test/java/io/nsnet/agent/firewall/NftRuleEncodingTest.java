package io.nsnet.agent.firewall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nsnet.agent.firewall.model.Rule;
import io.nsnet.agent.firewall.model.RuleParser;
import io.nsnet.agent.firewall.model.RuleSpec;
import io.nsnet.nft.Expr;
import io.nsnet.nft.IptablesNft;
import io.nsnet.nft.Nft;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * nsnet's rules in iptables-nft's nf_tables form, without a kernel: every rule the generator writes survives
 * encode → decode as the same text, and the forms match what {@code nft --debug=netlink} shows for rules
 * iptables-nft 1.8.9 added (the kernel test {@code NftBackendKernelTest} checks the same against the kernel).
 */
class NftRuleEncodingTest {

    private static List<Expr> encode(String spec) {
        return IptablesNft.encode(IptcRuleCodec.toEntry((RuleSpec) RuleParser.parse(spec)));
    }

    @Test
    void everyGeneratedRuleRoundTrips() {
        int n = 0;
        for (FirewallState s : IptcRuleCodecTest.layouts()) {
            for (ChainPlan p : RulesetGenerator.generate(s).plans()) {
                for (RuleSpec r : p.rules()) {
                    Rule back = IptcRuleCodec.toRule(IptablesNft.decode(IptablesNft.encode(IptcRuleCodec.toEntry(r))));
                    assertThat(back).as(r.spec()).isInstanceOf(RuleSpec.class);
                    assertThat(back.spec()).isEqualTo(r.spec());
                    n++;
                }
            }
        }
        assertThat(n).isGreaterThan(40);
    }

    @Test
    void formsAreIptablesNfts() {
        // -o docker0: oifname with its NUL; a wildcard: the prefix only.
        assertThat(encode("-o docker0 -j DOCKER")).containsExactly(new Expr.Meta(Expr.Meta.OIFNAME, 1),
                new Expr.Cmp(1, Expr.Cmp.EQ, new Expr.Blob("docker0\0".getBytes())), Expr.Counter.ZERO,
                Expr.Verdict.jump("DOCKER"));
        assertThat(encode("-i br+ -j DROP").get(1)).isEqualTo(new Expr.Cmp(1, Expr.Cmp.EQ, new Expr.Blob("br".getBytes())));
        // Byte-aligned prefixes load only their bytes; others load 4 and mask.
        assertThat(encode("! -d 127.0.0.0/8 -j RETURN").subList(0, 2)).containsExactly(
                new Expr.Payload(Expr.Payload.NETWORK, 16, 1, 1), new Expr.Cmp(1, Expr.Cmp.NEQ, new Expr.Blob(new byte[] {127})));
        assertThat(encode("-s 10.1.0.0/17 -j ACCEPT").subList(0, 3)).containsExactly(
                new Expr.Payload(Expr.Payload.NETWORK, 12, 4, 1),
                new Expr.Bitwise(1, 1, 4, new Expr.Blob(new byte[] {-1, -1, (byte) 0x80, 0}), new Expr.Blob(new byte[4])),
                new Expr.Cmp(1, Expr.Cmp.EQ, new Expr.Blob(new byte[] {10, 1, 0, 0})));
        // -p tcp --dport 80: l4proto, then the port natively; x_tables only where nft has no native form.
        List<Expr> dnat = encode("! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80");
        assertThat(dnat.subList(2, 6)).containsExactly(new Expr.Meta(Expr.Meta.L4PROTO, 1),
                new Expr.Cmp(1, Expr.Cmp.EQ, new Expr.Blob(new byte[] {6})), new Expr.Payload(Expr.Payload.TRANSPORT, 2, 2, 1),
                new Expr.Cmp(1, Expr.Cmp.EQ, new Expr.Blob(new byte[] {0x1f, (byte) 0x90})));
        assertThat(dnat.get(7)).isInstanceOfSatisfying(Expr.XtTarget.class, t -> {
            assertThat(t.name()).isEqualTo("DNAT");
            assertThat(t.revision()).isEqualTo(2);
        });
        assertThat(encode("-o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT").get(2))
                .isInstanceOfSatisfying(Expr.XtMatch.class, m -> assertThat(m.name()).isEqualTo("conntrack"));
    }

    @Test
    void decodingIsExactOrNothing() {
        List<Expr> ok = encode("-i eth0 -j ACCEPT");
        // Another register is the same rule; a different order, a missing counter or an unknown expression is not.
        List<Expr> otherReg = List.of(new Expr.Meta(Expr.Meta.IIFNAME, 9), new Expr.Cmp(9, Expr.Cmp.EQ,
                new Expr.Blob("eth0\0".getBytes())), new Expr.Counter(5, 500), Expr.Verdict.of(Nft.NF_ACCEPT));
        assertThat(IptcRuleCodec.toRule(IptablesNft.decode(otherReg)).spec()).isEqualTo("-i eth0 -j ACCEPT");
        List<Expr> noCounter = new ArrayList<>(ok);
        noCounter.remove(2);
        assertThatThrownBy(() -> IptablesNft.decode(noCounter)).isInstanceOf(IllegalArgumentException.class);
        List<Expr> extra = new ArrayList<>(ok);
        extra.add(0, new Expr.Other("fib", new Expr.Blob(new byte[4])));
        assertThatThrownBy(() -> IptablesNft.decode(extra)).isInstanceOf(IllegalArgumentException.class);
        List<Expr> crossedRegs = List.of(new Expr.Meta(Expr.Meta.IIFNAME, 1), new Expr.Cmp(2, Expr.Cmp.EQ,
                new Expr.Blob("eth0\0".getBytes())), Expr.Counter.ZERO, Expr.Verdict.of(Nft.NF_ACCEPT));
        assertThatThrownBy(() -> IptablesNft.decode(crossedRegs)).isInstanceOf(IllegalArgumentException.class);
    }
}
