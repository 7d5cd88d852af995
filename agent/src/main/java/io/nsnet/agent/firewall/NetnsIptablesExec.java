package io.nsnet.agent.firewall;

import io.nsnet.netns.NamespaceException;
import io.nsnet.netns.NetNs;
import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * Runs iptables inside a given network namespace (the daemon's host namespace): the process is spawned from a
 * worker thread that has entered the namespace with setns(2), and a child inherits its spawning thread's
 * network namespace. The caller keeps ownership of the {@link NetNs} handle.
 */
public final class NetnsIptablesExec implements IptablesExec {

    private final NetNs ns;
    private final ProcessIptablesExec spawner;

    public NetnsIptablesExec(NetNs ns) {
        this(ns, new ProcessIptablesExec());
    }

    public NetnsIptablesExec(NetNs ns, ProcessIptablesExec spawner) {
        this.ns = Objects.requireNonNull(ns, "ns");
        this.spawner = Objects.requireNonNull(spawner, "spawner");
    }

    @Override
    public Result run(List<String> argv, String stdin) throws IOException {
        try {
            return ns.call(() -> spawner.run(argv, stdin));
        } catch (NamespaceException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e;
        }
    }

    @Override
    public String toString() {
        return "iptables in " + ns;
    }
}
