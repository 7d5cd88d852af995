package io.nsnet.agent.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Transport protocol of a published port; the closed set Docker's bridge driver supports for IPv4 here. */
public enum Protocol {
    TCP, UDP;

    /** Parses {@code tcp} or {@code udp} (case-insensitive). */
    @JsonCreator
    public static Protocol parse(String text) {
        if (text != null) {
            switch (text.toLowerCase(Locale.ROOT)) {
                case "tcp": return TCP;
                case "udp": return UDP;
                default: break;
            }
        }
        throw new ValidationException("protocol \"" + text + "\": must be tcp or udp");
    }

    /** Lower-case name, as used on the command line, in iptables and in the API. */
    @JsonValue
    public String lowerName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
