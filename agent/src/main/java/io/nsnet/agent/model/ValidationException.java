package io.nsnet.agent.model;

/** The request itself is malformed or breaks a rule (bad name, bad CIDR, port out of range…): HTTP 400. */
public final class ValidationException extends NsnetException {
    public ValidationException(String message) {
        super(message);
    }

    @Override
    public int httpStatus() {
        return 400;
    }
}
