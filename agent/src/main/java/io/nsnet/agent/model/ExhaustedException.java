package io.nsnet.agent.model;

/**
 * A finite resource ran out: no default pool left, no free address in a network. Kept apart from
 * {@link ConflictException} so callers and logs can tell "try another value" from "free something first";
 * the API still answers 409 because the request conflicts with the current state, not with a rule.
 */
public final class ExhaustedException extends NsnetException {
    public ExhaustedException(String message) {
        super(message);
    }

    @Override
    public int httpStatus() {
        return 409;
    }
}
