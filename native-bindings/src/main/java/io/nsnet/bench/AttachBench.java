package io.nsnet.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.nsnet.addr.IpPrefix;
import io.nsnet.link.LinkSpec;
import io.nsnet.netns.NetNs;
import io.nsnet.route.Route;
import io.nsnet.rtnl.Rtnl;

/**
 * Attach N endpoints to a bridge, nsnet's native layer against {@code ip -batch}, side by side in one run.
 *
 * <p>An attach is: a new named namespace, a veth whose peer is created in it as eth0, the host end on the
 * bridge and up, eth0 up with an IPv4 address, and a default route via the bridge. Everything happens inside a
 * throwaway "host" namespace {@code nst-bench-*}; the two tools alternate endpoint by endpoint so they see the
 * same bridge size and the same machine noise. Usage: {@code AttachBench [N]} (default 100), as root.
 */
public final class AttachBench {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int warmup = Math.min(20, n);
        String tag = Long.toHexString(ProcessHandle.current().pid());
        String hostName = "nst-bench-" + tag;
        List<String> created = new ArrayList<>();
        NetNs host = NetNs.create(hostName);
        created.add(hostName);
        try (Rtnl hostRtnl = Rtnl.open(host)) {
            hostRtnl.links().add(LinkSpec.Bridge.named("nstbr0"));
            int br = hostRtnl.links().get("nstbr0").index();
            hostRtnl.addresses().add(br, IpPrefix.parse("10.200.0.1/16"));
            hostRtnl.links().setUp(br);

            for (int i = 0; i < warmup; i++) { // JIT and page-cache warm-up, on a separate address range
                created.add(attachNsnet(hostRtnl, br, "nst-bw" + tag + "-" + i, "vw" + i, 10, i));
                created.add(attachIp(hostName, "nst-pw" + tag + "-" + i, "pw" + i, 11, i));
            }
            double[] nsnet = new double[n];
            double[] ip = new double[n];
            double nsnetCpu = 0;
            double ipCpu = 0;
            for (int i = 0; i < n; i++) {
                double[] c0 = CpuClock.now();
                long t0 = System.nanoTime();
                created.add(attachNsnet(hostRtnl, br, "nst-bn" + tag + "-" + i, "vn" + i, 20, i));
                long t1 = System.nanoTime();
                double[] c1 = CpuClock.now();
                created.add(attachIp(hostName, "nst-bp" + tag + "-" + i, "vp" + i, 21, i));
                long t2 = System.nanoTime();
                double[] c2 = CpuClock.now();
                nsnet[i] = (t1 - t0) / 1e6;
                ip[i] = (t2 - t1) / 1e6;
                nsnetCpu += c1[0] - c0[0];
                ipCpu += c2[1] - c1[1];
            }
            Stats a = Stats.of(nsnet);
            Stats b = Stats.of(ip);
            System.out.printf("Attach %d endpoints to one bridge (namespace + veth + master + up + IPv4 + default route)%n%n", n);
            System.out.println(Stats.header());
            System.out.println(a.row("nsnet (rtnetlink in-process)"));
            System.out.println(b.row("ip netns add + 2 x ip -batch"));
            System.out.printf("%nmedian ratio ip-batch/nsnet: %.1fx   first 10 → last 10 medians: nsnet %.3f → %.3f ms, ip %.3f → %.3f ms%n",
                    b.median() / a.median(), Stats.of(slice(nsnet, 0, 10)).median(),
                    Stats.of(slice(nsnet, n - 10, n)).median(), Stats.of(slice(ip, 0, 10)).median(),
                    Stats.of(slice(ip, n - 10, n)).median());
            System.out.printf("CPU per attach (mean, 10 ms ticks summed over the run): nsnet %.2f ms (whole JVM), ip %.2f ms (children)%n",
                    nsnetCpu / n, ipCpu / n);
            System.out.printf("target: nsnet median <= 2 ms: %s; >= 3x faster than ip -batch: %s%n",
                    a.median() <= 2 ? "met" : "MISSED", b.median() / a.median() >= 3 ? "met" : "MISSED");
        } finally {
            for (String name : created) {
                NetNs.delete(name);
            }
            host.close();
        }
    }

    private static double[] slice(double[] a, int from, int to) {
        return java.util.Arrays.copyOfRange(a, Math.max(0, from), Math.max(0, Math.min(a.length, to)));
    }

    static String attachNsnet(Rtnl host, int bridgeIndex, String nsName, String hostIf, int net, int i) {
        NetNs.Created<Rtnl> created = Rtnl.createNamespace(nsName);
        try (NetNs ns = created.ns(); Rtnl inner = created.value()) {
            int eth0 = host.links().addAndGet(LinkSpec.Veth.pair(hostIf, "eth0", ns).withMaster(bridgeIndex)
                    .withUp(true)).peerIndex();
            inner.links().setUp(eth0);
            inner.addresses().add(eth0, IpPrefix.parse(address(net, i) + "/16"));
            inner.routes().add(Route.defaultVia(IpPrefix.literal("10.200.0.1"), eth0));
        }
        return nsName;
    }

    static String attachIp(String hostNs, String nsName, String hostIf, int net, int i) throws IOException, InterruptedException {
        // "netns add" cannot share the host-side batch: inside "ip -n HOST" it would run in a private
        // mount namespace, so the new namespace would not be visible to the rest of the batch or to anyone.
        batch(new String[] {"ip", "netns", "add", nsName}, "");
        batch(new String[] {"ip", "-n", hostNs, "-batch", "-"}, "link add " + hostIf + " type veth peer name eth0 netns " + nsName + "\n"
                + "link set " + hostIf + " master nstbr0 up\n");
        batch(new String[] {"ip", "-n", nsName, "-batch", "-"}, "link set eth0 up\n"
                + "addr add " + address(net, i) + "/16 dev eth0\n"
                + "route add default via 10.200.0.1\n");
        return nsName;
    }

    private static String address(int net, int i) {
        return "10.200." + net + "." + (i + 2);
    }

    private static void batch(String[] argv, String commands) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(commands.getBytes(StandardCharsets.US_ASCII));
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", argv) + " failed on:\n" + commands);
        }
    }
}
