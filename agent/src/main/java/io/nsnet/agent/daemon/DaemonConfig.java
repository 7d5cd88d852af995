package io.nsnet.agent.daemon;

import java.nio.file.Path;

import io.nsnet.agent.firewall.BackendChoice;

/**
 * nsnetd's settings, from flags and the optional JSON config file (flags win).
 *
 * @param hostNetns       named namespace treated as the host; null: the namespace nsnetd runs in
 * @param socket          the API's Unix socket
 * @param stateDir        where the state database lives
 * @param chainPrefix     prefix P of the iptables chains
 * @param defaultBridge   bridge of the default network
 * @param defaultSubnet   subnet of the default network; null: the first free default pool
 * @param sandboxPrefix   sandbox X is the named namespace prefix+X
 * @param userlandProxy   the proxy layout (true, the seed's default) or the DNAT-only one
 * @param firewallBackend auto, nft, legacy or libiptc
 */
public record DaemonConfig(String hostNetns, Path socket, Path stateDir, String chainPrefix, String defaultBridge,
        String defaultSubnet, String sandboxPrefix, boolean userlandProxy, BackendChoice firewallBackend) {

    public static final Path DEFAULT_SOCKET = Path.of("/run/nsnet/nsnetd.sock");
    public static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/nsnet");
    public static final String DEFAULT_NETWORK = "bridge";

    public static DaemonConfig defaults() {
        return new DaemonConfig(null, DEFAULT_SOCKET, DEFAULT_STATE_DIR, "NSNET", "nsnet0", null, "nsnet-", true,
                BackendChoice.AUTO);
    }
}
