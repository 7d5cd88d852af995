package io.nsnet.agent.firewall.model;

import java.util.Objects;

/** A match value that iptables can negate with a leading {@code !}. */
public record Negatable(String value, boolean negated) {
    public Negatable {
        Objects.requireNonNull(value, "value");
        boolean ok = !value.isEmpty();
        for (int i = 0; ok && i < value.length(); i++) {
            ok = !Character.isWhitespace(value.charAt(i));
        }
        if (!ok) {
            throw new IllegalArgumentException("invalid match value '" + value + "'");
        }
    }

    public static Negatable is(String value) {
        return new Negatable(value, false);
    }

    public static Negatable not(String value) {
        return new Negatable(value, true);
    }

    /** Renders {@code [! ]flag value}. */
    String render(String flag) {
        return (negated ? "! " : "") + flag + " " + value;
    }
}
