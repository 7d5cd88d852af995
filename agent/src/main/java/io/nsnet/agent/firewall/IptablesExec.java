package io.nsnet.agent.firewall;

import java.io.IOException;
import java.util.List;

/**
 * Runs one iptables program. The applier knows nothing about namespaces: an implementation decides where the
 * process runs (a child inherits the network namespace of the thread that spawns it, so a namespace-aware
 * implementation spawns from a thread that has entered the host namespace). Implementations must execute the
 * argument vector directly, never through a shell.
 */
@FunctionalInterface
public interface IptablesExec {

    /**
     * @param argv  program and arguments, e.g. {@code [iptables-nft-restore, --noflush, --wait]}
     * @param stdin text for standard input, or {@code null} for none
     * @throws IOException when the program cannot be started (e.g. not installed)
     */
    Result run(List<String> argv, String stdin) throws IOException;

    record Result(int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }
    }
}
