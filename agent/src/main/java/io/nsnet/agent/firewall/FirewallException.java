package io.nsnet.agent.firewall;

/** A firewall operation failed; the message says what and, where it can, how to fix it. */
public class FirewallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FirewallException(String message) {
        super(message);
    }

    public FirewallException(String message, Throwable cause) {
        super(message, cause);
    }
}
