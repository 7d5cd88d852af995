package io.nsnet.agent.api;

/**
 * An error the HTTP layer itself detects (unknown path, wrong method, unreadable body, body too large), as
 * opposed to the service's {@code NsnetException}s. Always the caller's mistake, so it is logged without a
 * stack trace; a stack trace is not even captured.
 */
final class HttpProblem extends RuntimeException {
    private final int status;
    private final String allow;

    HttpProblem(int status, String message) {
        this(status, message, null);
    }

    /** {@code allow}: the methods the path accepts, sent in the {@code Allow} header of a 405. */
    HttpProblem(int status, String message, String allow) {
        super(message, null, false, false);
        this.status = status;
        this.allow = allow;
    }

    int status() {
        return status;
    }

    String allow() {
        return allow;
    }
}
