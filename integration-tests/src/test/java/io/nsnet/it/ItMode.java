package io.nsnet.it;

import java.nio.file.Path;

/**
 * How the suite finds its daemon. Default: it starts its own nsnetd per scenario in throwaway namespaces.
 * {@code -Dnsnet.it.daemon=existing -Dnsnet.it.socket=PATH}: it drives an already running daemon (the Vagrant
 * VM's systemd unit), cannot restart or reconfigure it, and cleans up only the objects it created.
 */
final class ItMode {
    private ItMode() {
    }

    static boolean existing() {
        return "existing".equals(System.getProperty("nsnet.it.daemon", "spawn"));
    }

    static Path socket() {
        return Path.of(System.getProperty("nsnet.it.socket", "/run/nsnet/nsnetd.sock"));
    }
}
