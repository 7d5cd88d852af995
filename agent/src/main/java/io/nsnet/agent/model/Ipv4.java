package io.nsnet.agent.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * An IPv4 address as its 32 bits (unsigned arithmetic through {@link #toLong()}). A value type of its own rather
 * than {@link java.net.Inet4Address}: that class may do DNS lookups when given a name, accepts forms like
 * {@code "10.1"}, and has no arithmetic, while IPAM needs exact parsing and {@code +1}.
 *
 * <p>Serialises to and from JSON as the dotted string.
 */
public record Ipv4(int bits) implements Comparable<Ipv4> {

    /** Parses strict dotted-quad text; errors name the field as "address". */
    @JsonCreator
    public static Ipv4 parse(String text) {
        return parse("address", text);
    }

    /**
     * Parses strict dotted-quad text: four decimal octets 0–255, no leading zeros (Go's and glibc's parsers
     * disagree on whether {@code 010} is octal, so it is refused rather than guessed).
     *
     * @param field the request field, named in the error message
     */
    public static Ipv4 parse(String field, String text) {
        if (text == null || text.isEmpty()) {
            throw new ValidationException(field + " is empty; expected an IPv4 address like 10.0.0.1");
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new ValidationException(field + " \"" + text + "\": not an IPv4 address (expected four dot-separated numbers like 10.0.0.1)");
        }
        int bits = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new ValidationException(field + " \"" + text + "\": not an IPv4 address (each part must be a number 0-255)");
            }
            if (p.length() > 1 && p.charAt(0) == '0') {
                throw new ValidationException(field + " \"" + text + "\": leading zero in \"" + p + "\" is ambiguous (octal?); write it without the zero");
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                throw new ValidationException(field + " \"" + text + "\": part " + v + " is out of range 0-255");
            }
            bits = (bits << 8) | v;
        }
        return new Ipv4(bits);
    }

    public static Ipv4 ofLong(long value) {
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("not a 32-bit address: " + value);
        }
        return new Ipv4((int) value);
    }

    /** The address as an unsigned number, for arithmetic and ordering. */
    public long toLong() {
        return Integer.toUnsignedLong(bits);
    }

    /** The four octets, most significant first. */
    public byte[] octets() {
        return new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits};
    }

    /** The address {@code n} further on; throws if that leaves the IPv4 space. */
    public Ipv4 plus(long n) {
        return ofLong(toLong() + n);
    }

    @Override
    public int compareTo(Ipv4 o) {
        return Integer.compareUnsigned(bits, o.bits);
    }

    @JsonValue
    @Override
    public String toString() {
        return ((bits >>> 24) & 0xFF) + "." + ((bits >>> 16) & 0xFF) + "." + ((bits >>> 8) & 0xFF) + "." + (bits & 0xFF);
    }
}
