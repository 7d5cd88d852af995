package io.nsnet.agent.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * An IPv4 network in CIDR form. The constructor insists on the canonical form (no host bits set), so a
 * {@code Cidr} always denotes exactly one block: {@code 10.0.0.1/24} is refused with a hint instead of being
 * silently read as {@code 10.0.0.0/24}, as Docker does.
 *
 * <p>Serialises to and from JSON as {@code a.b.c.d/len}.
 */
public record Cidr(Ipv4 address, int prefix) implements Comparable<Cidr> {

    public Cidr {
        if (address == null) {
            throw new IllegalArgumentException("address is null");
        }
        if (prefix < 0 || prefix > 32) {
            throw new IllegalArgumentException("prefix " + prefix + " out of range 0-32");
        }
        if ((address.bits() & ~mask(prefix)) != 0) {
            throw new IllegalArgumentException(address + "/" + prefix + " has host bits set");
        }
    }

    /** Parses canonical CIDR text; errors name the field as "subnet". */
    @JsonCreator
    public static Cidr parse(String text) {
        return parse("subnet", text);
    }

    /**
     * Parses canonical CIDR text {@code a.b.c.d/len}.
     *
     * @param field the request field, named in the error message
     * @throws ValidationException naming the field and the rule, e.g.
     *     {@code subnet "10.0.0.1/24": host bits set; did you mean 10.0.0.0/24?}
     */
    public static Cidr parse(String field, String text) {
        if (text == null || text.isEmpty()) {
            throw new ValidationException(field + " is empty; expected a CIDR like 10.0.0.0/24");
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new ValidationException(field + " \"" + text + "\": missing prefix length; expected a CIDR like 10.0.0.0/24");
        }
        Ipv4 addr;
        try {
            addr = Ipv4.parse(field, text.substring(0, slash));
        } catch (ValidationException e) {
            throw new ValidationException(field + " \"" + text + "\": the address part is not an IPv4 address (expected a CIDR like 10.0.0.0/24)");
        }
        String len = text.substring(slash + 1);
        if (len.isEmpty() || len.length() > 2 || !len.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new ValidationException(field + " \"" + text + "\": prefix length must be a number 0-32");
        }
        int prefix = Integer.parseInt(len);
        if (prefix > 32) {
            throw new ValidationException(field + " \"" + text + "\": prefix length " + prefix + " is out of range 0-32");
        }
        int masked = addr.bits() & mask(prefix);
        if (masked != addr.bits()) {
            Cidr canonical = new Cidr(new Ipv4(masked), prefix);
            throw new ValidationException(field + " \"" + text + "\": host bits set; did you mean " + canonical + "?");
        }
        return new Cidr(addr, prefix);
    }

    /** The netmask for a prefix length, as 32 bits. */
    static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    /** The network address (same as {@link #address()}; named for readability at call sites). */
    public Ipv4 network() {
        return address;
    }

    /** The last address of the block (the broadcast address for prefixes up to /30). */
    public Ipv4 broadcast() {
        return new Ipv4(address.bits() | ~mask(prefix));
    }

    /** Number of addresses in the block, network and broadcast included. */
    public long size() {
        return 1L << (32 - prefix);
    }

    public boolean contains(Ipv4 ip) {
        return (ip.bits() & mask(prefix)) == address.bits();
    }

    /** True when {@code other} lies entirely inside this block. */
    public boolean contains(Cidr other) {
        return other.prefix >= prefix && contains(other.address);
    }

    /** True when the two blocks share at least one address (for CIDR blocks: one contains the other). */
    public boolean overlaps(Cidr other) {
        return contains(other.address) || other.contains(address);
    }

    @Override
    public int compareTo(Cidr o) {
        int c = address.compareTo(o.address);
        return c != 0 ? c : Integer.compare(prefix, o.prefix);
    }

    @JsonValue
    @Override
    public String toString() {
        return address + "/" + prefix;
    }
}
