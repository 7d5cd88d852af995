package io.nsnet.peerbench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The CNI bridge plugin (host-local IPAM, ipMasq), chained with portmap when a port is published, driven as a
 * container runtime does: {@code CNI_COMMAND=ADD|DEL} in the environment, the network config on stdin, the plugin
 * run inside the host namespace ({@code ip netns exec HOST /usr/lib/cni/bridge}) with CNI_NETNS the sandbox's
 * /run/netns path. portmap gets the bridge's result as prevResult, as libcni would pass it.
 */
final class CniPeer implements AttachTool {
    static final Path PLUGINS = Path.of("/usr/lib/cni");
    private final String hostNs;
    private final Namespaces namespaces;
    private final String bridgeConf;
    private final Map<Integer, String> results = new HashMap<>();

    CniPeer(String hostNs, Namespaces namespaces, Path work) {
        this.hostNs = hostNs;
        this.namespaces = namespaces;
        this.bridgeConf = "{\"cniVersion\":\"1.0.0\",\"name\":\"pbnet\",\"type\":\"bridge\",\"bridge\":\"cni0\","
                + "\"isGateway\":true,\"ipMasq\":true,\"ipam\":{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":"
                + "\"10.0.0.0/16\",\"gateway\":\"10.0.0.1\"}]],\"routes\":[{\"dst\":\"0.0.0.0/0\"}],\"dataDir\":\""
                + work.resolve("cni-ipam") + "\"}}";
    }

    @Override
    public String name() {
        return "CNI bridge";
    }

    /** The Debian package's version: the plugin binaries themselves print "version unknown". */
    static String version() {
        Proc.Result r = Proc.tryRun(List.of("dpkg-query", "-W", "-f", "${Version}", "containernetworking-plugins"),
                Map.of(), null);
        return "CNI plugins " + (r.exit() == 0 ? r.stdout().strip() : "?");
    }

    private String netns(int i) {
        return namespaces.name("c" + i);
    }

    private Map<String, String> env(String command, int i) {
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", "pbc" + i);
        env.put("CNI_NETNS", "/run/netns/" + netns(i));
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", PLUGINS.toString());
        return env;
    }

    private String plugin(String type, String command, int i, String conf) {
        return Proc.run(List.of("ip", "netns", "exec", hostNs, PLUGINS.resolve(type).toString()), env(command, i), conf);
    }

    private static String portmapConf(int i, String prevResult) {
        return "{\"cniVersion\":\"1.0.0\",\"name\":\"pbnet\",\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true},"
                + "\"snat\":true,\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":" + AttachTool.hostPort(i)
                + ",\"containerPort\":80,\"protocol\":\"tcp\"}]}" + (prevResult == null ? "" : ",\"prevResult\":"
                + prevResult.strip()) + "}";
    }

    @Override
    public void attach(int i, boolean port) {
        Namespaces.addTimed(netns(i));
        String result = plugin("bridge", "ADD", i, bridgeConf);
        if (port) {
            plugin("portmap", "ADD", i, portmapConf(i, result));
            results.put(i, result);
        }
    }

    @Override
    public void detach(int i) {
        String result = results.remove(i);
        if (result != null) {
            plugin("portmap", "DEL", i, portmapConf(i, result));
        }
        plugin("bridge", "DEL", i, bridgeConf);
        Namespaces.deleteTimed(netns(i));
    }

    @Override
    public double cpuMs() {
        return io.nsnet.bench.CpuClock.now()[1];
    }
}
