package io.nsnet.peerbench;

import io.nsnet.agent.firewall.ChainNames;
import io.nsnet.agent.firewall.FirewallState;
import io.nsnet.agent.firewall.NftBackend;
import io.nsnet.agent.firewall.Ownership;
import io.nsnet.agent.firewall.RestorePlan;
import io.nsnet.agent.firewall.RestorePlanner;
import io.nsnet.agent.firewall.RulesetGenerator;
import io.nsnet.agent.model.Cidr;
import io.nsnet.agent.model.Ipv4;
import io.nsnet.agent.model.Network;
import io.nsnet.agent.model.ObjectState;
import io.nsnet.agent.network.BridgeDriver;
import io.nsnet.link.LinkRemover;
import io.nsnet.netns.NetNs;
import io.nsnet.rtnl.Rtnl;
import io.nsnet.sysctl.Sysctls;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The kernel's share of a network create, in the bench's own JVM with nsnet's own code and no daemon: the bridge
 * made as nsnetd makes it ({@link BridgeDriver#create}: one exclusive create, then mark, address and up in one
 * batch) and the network's rules as one nf_tables transaction ({@link NftBackend}), planned beforehand, untimed,
 * against the same ruleset nsnetd holds (same layout and prefix, a default and an attach network first, then the
 * networks in the same order). Only kernel round trips are timed: the bridge's rtnetlink requests, and the
 * nf_tables commit from sending the batch to the kernel's last answer ({@link NftBackend#lastCommitNanos}).
 *
 * <p>Why: nf_tables validates the whole table and rebuilds every changed chain on each commit, so the kernel's
 * time for one network's rules grows with the number of networks whoever sends them. This peer shows that growth
 * beside nsnetd's in the same run. nsnetd overlaps the bridge with the commit, so its own floor is the commit plus
 * whatever of the bridge does not overlap.
 */
final class NativeNetworkPeer implements AutoCloseable {
    static final String SUM = "kernel: bridge + nf_tables commit (in-process)";
    static final String COMMIT = "kernel: nf_tables commit alone (in-process)";

    /** Kernel time of one create, in milliseconds. */
    record Times(double bridgeMs, double commitMs) {
        double sumMs() {
            return bridgeMs + commitMs;
        }
    }

    private final NetNs host;
    private final Rtnl rtnl;
    private final LinkRemover remover;
    private final BridgeDriver bridges;
    private final NftBackend nft;
    private final ChainNames names = new ChainNames("NSNET");
    private final List<Network> networks = new ArrayList<>();
    private final List<FirewallState.Network> firewall = new ArrayList<>();
    private long seq;

    NativeNetworkPeer(String hostNs) {
        this.host = NetNs.open(hostNs);
        this.rtnl = Rtnl.open(host);
        this.remover = new LinkRemover(host, 4);
        this.bridges = new BridgeDriver(rtnl, new Sysctls(host), remover);
        this.nft = new NftBackend(host);
        // nsnetd's state when the network phase starts: its default network and the attach phase's network.
        add(network("default", "nfb-default", "172.17.0.0/16", "172.17.0.1"));
        add(network("attach", "nfb-attach", "10.0.0.0/16", "10.0.0.1"));
    }

    /** Creates network i (bridge {@code nfb<i>}, subnet {@link NetworkTool#subnet}); returns the kernel's time. */
    Times createNetwork(int i) {
        return add(network("n" + i, "nfb" + i, NetworkTool.subnet(i), NetworkTool.gateway(i)));
    }

    private Times add(Network n) {
        List<FirewallState.Network> next = new ArrayList<>(firewall);
        next.add(fw(n));
        RestorePlan plan = plan(next, next);
        long t0 = System.nanoTime();
        bridges.create(n);
        double bridgeMs = (System.nanoTime() - t0) / 1e6;
        nft.commit(plan);
        networks.add(n);
        firewall.add(next.get(next.size() - 1));
        return new Times(bridgeMs, nft.lastCommitNanos() / 1e6);
    }

    /** Removes network i again (untimed: the checkpoints' networks, so the next checkpoint starts at its k). */
    void deleteNetwork(int i) {
        int at = -1;
        for (int j = 0; j < networks.size(); j++) {
            if (networks.get(j).bridge().equals("nfb" + i)) {
                at = j;
            }
        }
        if (at < 0) {
            throw new IllegalStateException("no network " + i);
        }
        List<FirewallState.Network> before = new ArrayList<>(firewall);
        List<FirewallState.Network> next = new ArrayList<>(firewall);
        next.remove(at);
        nft.commit(plan(next, before));
        bridges.delete("nfb" + i);
        networks.remove(at);
        firewall.remove(at);
    }

    /** Removes every network this peer made: one nf_tables transaction for all rules, then the bridges. */
    void removeAll() {
        List<FirewallState.Network> owned = new ArrayList<>(firewall);
        nft.commit(RestorePlanner.planTeardown(nft.readLive(), names, new Ownership(names, owned)));
        for (Network n : networks) {
            bridges.delete(n.bridge());
        }
        networks.clear();
        firewall.clear();
    }

    private RestorePlan plan(List<FirewallState.Network> desired, List<FirewallState.Network> owned) {
        FirewallState state = new FirewallState(names.prefix(), true, desired, List.of());
        return RestorePlanner.plan(nft.readLive(), RulesetGenerator.generate(state), new Ownership(names, owned));
    }

    private Network network(String name, String bridge, String subnet, String gateway) {
        return new Network(name, String.format("%064x", ++seq), bridge, Cidr.parse(subnet), Ipv4.parse(gateway),
                Optional.empty(), false, true, true, Network.DEFAULT_MTU, seq, Instant.now(), false, ObjectState.READY);
    }

    private static FirewallState.Network fw(Network n) {
        return new FirewallState.Network(n.bridge(), n.subnet().toString(), n.internal(), n.icc(), n.masquerade());
    }

    @Override
    public void close() {
        remover.close();
        rtnl.close();
        host.close();
    }
}
