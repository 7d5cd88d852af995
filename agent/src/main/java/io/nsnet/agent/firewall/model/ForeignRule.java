package io.nsnet.agent.firewall.model;

import java.util.Objects;

/** A rule nsnet did not (or could not) decompose; kept verbatim so it can be re-rendered byte for byte. */
public record ForeignRule(String spec) implements Rule {
    public ForeignRule {
        Objects.requireNonNull(spec, "spec");
    }

    @Override
    public String toString() {
        return spec;
    }
}
