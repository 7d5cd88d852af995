package io.nsnet.agent.cli;

import java.io.IOException;
import java.util.List;

/** Runs a command with the CLI's own stdin/stdout/stderr and returns its exit status; replaced in tests. */
@FunctionalInterface
public interface ProcessRunner {
    int run(List<String> command) throws IOException, InterruptedException;

    /** A child process inheriting stdio; the JVM cannot execve itself without native code, so it waits. */
    static ProcessRunner inheritIo() {
        return command -> new ProcessBuilder(command).inheritIO().start().waitFor();
    }
}
