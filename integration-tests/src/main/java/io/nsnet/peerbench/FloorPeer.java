package io.nsnet.peerbench;

import java.util.List;

/**
 * The floor: the fewest processes that do the same kernel work with the stock tools. A network is one
 * {@code ip -batch} (bridge, address, up) plus one {@code iptables-restore --noflush} of Docker's 8 rules; an
 * attach is {@code ip netns add} plus two {@code ip -batch} (host side, sandbox side), plus one
 * {@code iptables-restore} (DNAT + ACCEPT) when a port is published. iptables-restore enters the namespace with
 * {@code nsenter --net}, which only does setns (no mount namespace, unlike {@code ip netns exec}).
 */
final class FloorPeer implements NetworkTool, AttachTool {
    private static final String BRIDGE = "flbr0";
    private final String hostNs;
    private final Namespaces namespaces;
    private double lastLinkDelMs = Double.NaN;

    FloorPeer(String hostNs, Namespaces namespaces) {
        this.hostNs = hostNs;
        this.namespaces = namespaces;
    }

    @Override
    public String name() {
        return "floor (ip -batch + iptables-restore)";
    }

    /** Docker's base chains, and the attach bridge; not timed. */
    void setUp() {
        restore("*nat\n:DOCKER - [0:0]\n:PB-DNAT - [0:0]\n-A PREROUTING -m addrtype --dst-type LOCAL -j PB-DNAT\nCOMMIT\n"
                + "*filter\n:DOCKER - [0:0]\n:DOCKER-ISOLATION-STAGE-1 - [0:0]\n:DOCKER-ISOLATION-STAGE-2 - [0:0]\n"
                + ":PB-FWD - [0:0]\n-A FORWARD -j DOCKER-ISOLATION-STAGE-1\n-A FORWARD -j PB-FWD\n"
                + "-A DOCKER-ISOLATION-STAGE-1 -j RETURN\n-A DOCKER-ISOLATION-STAGE-2 -j RETURN\nCOMMIT\n");
        ipBatch(hostNs, "link add name " + BRIDGE + " type bridge\naddr add 10.0.0.1/16 dev " + BRIDGE + "\nlink set "
                + BRIDGE + " up\n");
    }

    private void restore(String script) {
        Proc.run(List.of("nsenter", "--net=/run/netns/" + hostNs, "iptables-restore", "--noflush", "--wait"), script);
    }

    private static void ipBatch(String ns, String commands) {
        Proc.run(List.of("ip", "-n", ns, "-batch", "-"), commands);
    }

    private static String networkRules(char op, int i) {
        String br = "fb" + i;
        String sub = NetworkTool.subnet(i);
        return "*nat\n-" + op + " POSTROUTING -s " + sub + " ! -o " + br + " -j MASQUERADE\n-" + op + " DOCKER -i " + br
                + " -j RETURN\nCOMMIT\n*filter\n-" + op + " DOCKER-ISOLATION-STAGE-1 -i " + br + " ! -o " + br
                + " -j DOCKER-ISOLATION-STAGE-2\n-" + op + " DOCKER-ISOLATION-STAGE-2 -o " + br + " -j DROP\n-" + op
                + " FORWARD -o " + br + " -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-" + op + " FORWARD -o "
                + br + " -j DOCKER\n-" + op + " FORWARD -i " + br + " ! -o " + br + " -j ACCEPT\n-" + op + " FORWARD -i "
                + br + " -o " + br + " -j ACCEPT\nCOMMIT\n";
    }

    @Override
    public void createNetwork(int i) {
        String br = "fb" + i;
        ipBatch(hostNs, "link add name " + br + " type bridge\naddr add " + NetworkTool.gateway(i) + "/24 dev " + br
                + "\nlink set " + br + " up\n");
        restore(networkRules('A', i));
    }

    @Override
    public void deleteNetwork(int i) {
        restore(networkRules('D', i));
        Proc.run(List.of("ip", "-n", hostNs, "link", "del", "fb" + i), null);
    }

    private String netns(int i) {
        return namespaces.name("f" + i);
    }

    private static String portRules(char op, int i) {
        String ip = AttachTool.address(i);
        return "*nat\n-" + op + " PB-DNAT -p tcp --dport " + AttachTool.hostPort(i) + " -j DNAT --to-destination " + ip
                + ":80\nCOMMIT\n*filter\n-" + op + " PB-FWD -d " + ip + "/32 -o " + BRIDGE
                + " -p tcp --dport 80 -j ACCEPT\nCOMMIT\n";
    }

    private final java.util.Set<Integer> withPort = new java.util.HashSet<>();

    @Override
    public void attach(int i, boolean port) {
        String ns = netns(i);
        // "netns add" cannot share the host-side batch: inside "ip -n HOST" it would run in a private mount
        // namespace, so the new namespace would not be visible to anyone else.
        Namespaces.addTimed(ns);
        ipBatch(hostNs, "link add fv" + i + " type veth peer name eth0 netns " + ns + "\nlink set fv" + i + " master "
                + BRIDGE + " up\n");
        ipBatch(ns, "link set lo up\nlink set eth0 up\naddr add " + AttachTool.address(i) + "/16 dev eth0\n"
                + "route add default via 10.0.0.1\n");
        if (port) {
            restore(portRules('A', i));
            withPort.add(i);
        }
    }

    @Override
    public void detach(int i) {
        if (withPort.remove(i)) {
            restore(portRules('D', i));
        }
        long t0 = System.nanoTime();
        Proc.run(List.of("ip", "-n", hostNs, "link", "del", "fv" + i), null);
        lastLinkDelMs = (System.nanoTime() - t0) / 1e6;
        Namespaces.deleteTimed(netns(i));
    }

    /** Wall ms of the {@code ip link del} inside the last detach: the kernel's own veth removal cost. */
    double lastLinkDelMs() {
        return lastLinkDelMs;
    }

    @Override
    public double cpuMs() {
        return io.nsnet.bench.CpuClock.now()[1];
    }
}
