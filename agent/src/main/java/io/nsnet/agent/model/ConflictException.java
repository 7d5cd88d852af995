package io.nsnet.agent.model;

/** The request is well formed but clashes with existing state (name taken, subnet overlaps, IP in use): HTTP 409. */
public final class ConflictException extends NsnetException {
    public ConflictException(String message) {
        super(message);
    }

    @Override
    public int httpStatus() {
        return 409;
    }
}
