package io.nsnet.agent.cli;

/** nsnetd answered with an error status; {@link #getMessage()} is the daemon's {@code message}. */
public final class ApiException extends CliException {
    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status: 400 invalid, 404 not found, 409 conflict, 413 too large, 500 daemon failure. */
    public int status() {
        return status;
    }
}
