package io.nsnet.agent.model;

/** The named network or sandbox does not exist: HTTP 404. */
public final class NotFoundException extends NsnetException {
    public NotFoundException(String message) {
        super(message);
    }

    @Override
    public int httpStatus() {
        return 404;
    }
}
