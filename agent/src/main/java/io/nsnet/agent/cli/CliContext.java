package io.nsnet.agent.cli;

import java.io.PrintWriter;
import java.util.Map;

/**
 * What a CLI run may touch outside itself, passed in rather than read from globals so tests can run the CLI
 * in-process: its output streams, its environment (for {@code NSNET_SOCKET}) and how it starts processes.
 */
public record CliContext(PrintWriter out, PrintWriter err, Map<String, String> env, ProcessRunner processes) {

    public static CliContext system() {
        return new CliContext(new PrintWriter(System.out, true), new PrintWriter(System.err, true), System.getenv(),
                ProcessRunner.inheritIo());
    }
}
