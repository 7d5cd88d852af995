package io.nsnet.peerbench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * netavark 1.4 (podman's network tool) with {@code NETAVARK_FW=iptables}, driven as podman does:
 * {@code netavark --config DIR setup|teardown /run/netns/X} with the network options JSON on stdin, run inside
 * the host namespace. podman does IPAM itself and passes static addresses; so does this peer.
 */
final class NetavarkPeer implements AttachTool {
    static final Path BINARY = Path.of("/usr/lib/podman/netavark");
    private static final String NET_ID = "a".repeat(64);
    private final String hostNs;
    private final Namespaces namespaces;
    private final Path config;

    NetavarkPeer(String hostNs, Namespaces namespaces, Path work) {
        this.hostNs = hostNs;
        this.namespaces = namespaces;
        this.config = work.resolve("netavark");
        try {
            Files.createDirectories(config);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String name() {
        return "netavark";
    }

    static String version() {
        return Proc.tryRun(List.of(BINARY.toString(), "--version"), Map.of(), null).stdout().strip();
    }

    private String netns(int i) {
        return namespaces.name("v" + i);
    }

    private static String options(int i, boolean port) {
        String cid = String.format("%064x", i + 1);
        return "{\"container_id\":\"" + cid + "\",\"container_name\":\"pbv" + i + "\","
                + "\"networks\":{\"pbnet\":{\"static_ips\":[\"" + AttachTool.address(i) + "\"],\"interface_name\":\"eth0\"}},"
                + "\"network_info\":{\"pbnet\":{\"name\":\"pbnet\",\"id\":\"" + NET_ID + "\",\"driver\":\"bridge\","
                + "\"network_interface\":\"nvbr0\",\"subnets\":[{\"subnet\":\"10.0.0.0/16\",\"gateway\":\"10.0.0.1\"}],"
                + "\"ipv6_enabled\":false,\"internal\":false,\"dns_enabled\":false,\"ipam_options\":{\"driver\":\"host-local\"}}}"
                + (port ? ",\"port_mappings\":[{\"host_ip\":\"\",\"container_port\":80,\"host_port\":" + AttachTool.hostPort(i)
                        + ",\"range\":1,\"protocol\":\"tcp\"}]" : "")
                + "}";
    }

    private void run(String command, int i, boolean port) {
        Proc.run(List.of("ip", "netns", "exec", hostNs, BINARY.toString(), "--config", config.toString(), command,
                "/run/netns/" + netns(i)), Map.of("NETAVARK_FW", "iptables"), options(i, port));
    }

    private final java.util.Set<Integer> withPort = new java.util.HashSet<>();

    @Override
    public void attach(int i, boolean port) {
        Namespaces.addTimed(netns(i));
        run("setup", i, port);
        if (port) {
            withPort.add(i);
        }
    }

    @Override
    public void detach(int i) {
        run("teardown", i, withPort.remove(i));
        Namespaces.deleteTimed(netns(i));
    }

    @Override
    public double cpuMs() {
        return io.nsnet.bench.CpuClock.now()[1];
    }
}
