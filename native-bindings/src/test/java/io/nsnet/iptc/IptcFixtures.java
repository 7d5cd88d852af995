package io.nsnet.iptc;

import java.util.List;

/** The rule kinds nsnet's layout uses, each as the iptables-legacy arguments and the entry nsnet encodes. */
final class IptcFixtures {
    private IptcFixtures() {
    }

    record Case(String table, String chain, String args, IptEntry entry) {
    }

    static int ip(String dotted) {
        String[] p = dotted.split("\\.");
        return (Integer.parseInt(p[0]) << 24) | (Integer.parseInt(p[1]) << 16) | (Integer.parseInt(p[2]) << 8)
                | Integer.parseInt(p[3]);
    }

    static int mask(int len) {
        return len == 0 ? 0 : -1 << (32 - len);
    }

    static IptEntry entry(IptIp ip, XtTarget t, XtMatch... matches) {
        return new IptEntry(ip, List.of(matches), t);
    }

    static final IptIp ANY = IptIp.ANY;
    static final int TCP = 6;
    static final int UDP = 17;

    /** User chains the cases jump to; created first. */
    static final List<String> FILTER_CHAINS = List.of("NSNET", "NSNET-USER", "NSNET-ISOLATION-STAGE-1",
            "NSNET-ISOLATION-STAGE-2");
    static final List<String> NAT_CHAINS = List.of("NSNET");

    static List<Case> cases() {
        return List.of(
                new Case("filter", "FORWARD", "-j NSNET-USER", entry(ANY, new XtTarget.Jump("NSNET-USER"))),
                new Case("filter", "FORWARD", "-o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
                        entry(ANY.withOut("docker0", false), XtTarget.Verdict.ACCEPT,
                                new XtMatch.Conntrack(XtMatch.Conntrack.RELATED | XtMatch.Conntrack.ESTABLISHED, false))),
                new Case("filter", "FORWARD", "-o docker0 -j NSNET", entry(ANY.withOut("docker0", false), new XtTarget.Jump("NSNET"))),
                new Case("filter", "FORWARD", "-i docker0 ! -o docker0 -j ACCEPT",
                        entry(ANY.withIn("docker0", false).withOut("docker0", true), XtTarget.Verdict.ACCEPT)),
                new Case("filter", "FORWARD", "-i docker0 -o docker0 -j DROP",
                        entry(ANY.withIn("docker0", false).withOut("docker0", false), XtTarget.Verdict.DROP)),
                new Case("filter", "FORWARD", "-s 10.1.2.0/24 ! -d 10.0.0.0/8 ! -i veth+ -j DROP",
                        entry(ANY.withSource(ip("10.1.2.0"), mask(24), false).withDestination(ip("10.0.0.0"), mask(8), true)
                                .withIn("veth+", true), XtTarget.Verdict.DROP)),
                new Case("filter", "FORWARD", "! -p udp -j ACCEPT", entry(ANY.withProto(UDP, true), XtTarget.Verdict.ACCEPT)),
                new Case("filter", "NSNET-USER", "-j RETURN", entry(ANY, XtTarget.Verdict.RETURN)),
                new Case("filter", "NSNET", "-d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT",
                        entry(ANY.withDestination(ip("172.17.0.2"), -1, false).withIn("docker0", true).withOut("docker0", false)
                                .withProto(TCP, false), XtTarget.Verdict.ACCEPT, XtMatch.Tcp.dport(80))),
                new Case("filter", "NSNET", "-d 172.17.0.3/32 ! -i docker0 -o docker0 -p udp -m udp --dport 53 -j ACCEPT",
                        entry(ANY.withDestination(ip("172.17.0.3"), -1, false).withIn("docker0", true).withOut("docker0", false)
                                .withProto(UDP, false), XtTarget.Verdict.ACCEPT, XtMatch.Udp.dport(53))),
                new Case("filter", "NSNET-ISOLATION-STAGE-1", "-i docker0 ! -o docker0 -j NSNET-ISOLATION-STAGE-2",
                        entry(ANY.withIn("docker0", false).withOut("docker0", true), new XtTarget.Jump("NSNET-ISOLATION-STAGE-2"))),
                new Case("filter", "NSNET-ISOLATION-STAGE-2", "-m comment --comment \"kept by the admin\" -j ACCEPT",
                        entry(ANY, XtTarget.Verdict.ACCEPT, new XtMatch.Comment("kept by the admin"))),
                new Case("nat", "PREROUTING", "-m addrtype --dst-type LOCAL -j NSNET",
                        entry(ANY, new XtTarget.Jump("NSNET"), new XtMatch.Addrtype(0, XtMatch.Addrtype.LOCAL, 0))),
                new Case("nat", "OUTPUT", "! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j NSNET",
                        entry(ANY.withDestination(ip("127.0.0.0"), mask(8), true), new XtTarget.Jump("NSNET"),
                                new XtMatch.Addrtype(0, XtMatch.Addrtype.LOCAL, 0))),
                new Case("nat", "POSTROUTING", "-s 172.17.0.0/16 ! -o docker0 -j MASQUERADE",
                        entry(ANY.withSource(ip("172.17.0.0"), mask(16), false).withOut("docker0", true), XtTarget.Masquerade.PLAIN)),
                new Case("nat", "POSTROUTING", "-o docker0 -m addrtype --src-type LOCAL -j MASQUERADE",
                        entry(ANY.withOut("docker0", false), XtTarget.Masquerade.PLAIN,
                                new XtMatch.Addrtype(XtMatch.Addrtype.LOCAL, 0, 0))),
                new Case("nat", "POSTROUTING", "-s 172.17.0.2/32 -d 172.17.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE",
                        entry(ANY.withSource(ip("172.17.0.2"), -1, false).withDestination(ip("172.17.0.2"), -1, false)
                                .withProto(TCP, false), XtTarget.Masquerade.PLAIN, XtMatch.Tcp.dport(80))),
                new Case("nat", "NSNET", "-i docker0 -j RETURN", entry(ANY.withIn("docker0", false), XtTarget.Verdict.RETURN)),
                new Case("nat", "NSNET", "! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80",
                        entry(ANY.withIn("docker0", true).withProto(TCP, false), XtTarget.Dnat.to(ip("172.17.0.2"), 80),
                                XtMatch.Tcp.dport(8080))),
                new Case("nat", "NSNET", "-d 127.0.0.1/32 ! -i docker0 -p udp -m udp --dport 5353 -j DNAT --to-destination 172.17.0.3:53",
                        entry(ANY.withDestination(ip("127.0.0.1"), -1, false).withIn("docker0", true).withProto(UDP, false),
                                XtTarget.Dnat.to(ip("172.17.0.3"), 53), XtMatch.Udp.dport(5353))));
    }
}
