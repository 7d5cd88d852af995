package io.nsnet.agent.model;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A 48-bit Ethernet address. nsnet derives an endpoint's MAC from its IPv4 address exactly as Docker 20.10 does
 * ({@code 02:42:} followed by the four address bytes): locally administered, unicast, and stable across
 * restarts, so reconcile can recreate an interface with the same MAC and neighbours' ARP caches stay valid.
 */
public record MacAddress(long bits) {

    public MacAddress {
        if (bits < 0 || bits > 0xFFFF_FFFF_FFFFL) {
            throw new IllegalArgumentException("not a 48-bit MAC: " + Long.toHexString(bits));
        }
    }

    /** Docker's derivation: {@code 02:42:a:b:c:d} for address {@code a.b.c.d}. */
    public static MacAddress fromIpv4(Ipv4 ip) {
        return new MacAddress((0x0242L << 32) | ip.toLong());
    }

    /** Parses {@code xx:xx:xx:xx:xx:xx} (hex, either case). */
    public static MacAddress parse(String text) {
        String[] parts = text == null ? new String[0] : text.split(":", -1);
        if (parts.length != 6) {
            throw new ValidationException("mac \"" + text + "\": expected six colon-separated hex bytes like 02:42:ac:11:00:02");
        }
        long bits = 0;
        for (String p : parts) {
            if (p.length() != 2 || !p.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw new ValidationException("mac \"" + text + "\": \"" + p + "\" is not a two-digit hex byte");
            }
            bits = (bits << 8) | Integer.parseInt(p, 16);
        }
        return new MacAddress(bits);
    }

    /** Lower-case colon form, as iproute2 prints it. */
    @JsonValue
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            if (sb.length() > 0) {
                sb.append(':');
            }
            int b = (int) ((bits >>> shift) & 0xFF);
            sb.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
    }
}
