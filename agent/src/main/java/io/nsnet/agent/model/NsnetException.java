package io.nsnet.agent.model;

/**
 * The closed set of errors the daemon reports to a client. Each subtype fixes the HTTP status the API answers
 * with, so the API layer maps errors with one {@code switch} instead of guessing from messages. Messages are
 * written for the user: they name the field and the rule that failed (and, where it helps, the fix).
 */
public sealed abstract class NsnetException extends RuntimeException
        permits ValidationException, ConflictException, NotFoundException, ExhaustedException {

    protected NsnetException(String message) {
        super(message);
    }

    /** The HTTP status the API returns for this error. */
    public abstract int httpStatus();
}
