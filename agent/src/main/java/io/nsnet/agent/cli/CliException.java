package io.nsnet.agent.cli;

/**
 * A failure the CLI reports as {@code Error: <message>} with exit code 1: the daemon refused, could not be
 * reached, or the command could not run. No stack trace is captured: the message is all the user gets.
 */
public class CliException extends RuntimeException {
    public CliException(String message) {
        super(message, null, false, false);
    }
}
