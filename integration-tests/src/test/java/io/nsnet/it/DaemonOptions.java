package io.nsnet.it;

import java.util.ArrayList;
import java.util.List;

/**
 * The flags a scenario starts nsnetd with, besides the ones the harness always sets (host namespace, sandbox
 * prefix, socket, state dir). Defaults are the seed's: chain prefix DOCKER, docker0 on 172.17.0.0/16, proxy on.
 */
record DaemonOptions(String chainPrefix, String defaultBridge, String defaultSubnet, boolean userlandProxy,
        Backend backend) {

    static DaemonOptions seed() {
        return new DaemonOptions("DOCKER", "docker0", "172.17.0.0/16", true, Backend.NFT);
    }

    DaemonOptions backend(Backend b) {
        return new DaemonOptions(chainPrefix, defaultBridge, defaultSubnet, userlandProxy, b);
    }

    DaemonOptions userlandProxy(boolean on) {
        return new DaemonOptions(chainPrefix, defaultBridge, defaultSubnet, on, backend);
    }

    List<String> flags() {
        List<String> f = new ArrayList<>(List.of("--chain-prefix", chainPrefix, "--default-bridge", defaultBridge,
                "--userland-proxy", String.valueOf(userlandProxy), "--firewall-backend", backend.flag));
        if (defaultSubnet != null) {
            f.addAll(List.of("--default-subnet", defaultSubnet));
        }
        return f;
    }
}
