package io.nsnet.agent.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/**
 * What a CLI run may touch outside itself, passed in rather than read from globals so tests can run the CLI
 * in-process: its output streams, its environment (for {@code NSNET_SOCKET}), how it starts processes and how
 * it opens the API client for a socket.
 */
public record CliContext(PrintWriter out, PrintWriter err, Map<String, String> env, ProcessRunner processes,
        Function<Path, ApiClient> clients) {

    /** Opens clients directly ({@link ApiClient#open}). */
    public CliContext(PrintWriter out, PrintWriter err, Map<String, String> env, ProcessRunner processes) {
        this(out, err, env, processes, ApiClient::open);
    }

    /** The real process: stdio, environment, child processes; {@code clients} as the caller chooses. */
    public static CliContext system(Function<Path, ApiClient> clients) {
        return new CliContext(new PrintWriter(System.out, true), new PrintWriter(System.err, true), System.getenv(),
                ProcessRunner.inheritIo(), clients);
    }
}
