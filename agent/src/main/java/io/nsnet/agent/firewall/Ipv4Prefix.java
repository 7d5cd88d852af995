package io.nsnet.agent.firewall;

/**
 * An IPv4 address with a prefix length, e.g. {@code 172.17.0.0/16} or {@code 172.17.0.2/32}. Parsing accepts a
 * bare address as /32. {@link #toString()} prints the form iptables-save prints.
 */
public record Ipv4Prefix(int address, int length) {

    public Ipv4Prefix {
        if (length < 0 || length > 32) {
            throw new IllegalArgumentException("prefix length out of range: " + length);
        }
    }

    public static Ipv4Prefix parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("missing IPv4 address");
        }
        int slash = text.indexOf('/');
        int len = 32;
        String addr = text;
        if (slash >= 0) {
            addr = text.substring(0, slash);
            try {
                len = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid prefix length in '" + text + "'");
            }
        }
        return new Ipv4Prefix(parseAddress(addr, text), len);
    }

    /**
     * Parses a plain dotted-quad address: four decimal octets of one to three ASCII digits, each at most 255. A
     * loop over the characters: with {@code split} and a stream per octet this was ~1-2 us a call on C1 (the
     * daemon's JIT), and the firewall's state parses every published endpoint's address on each change.
     */
    public static int parseAddress(String addr, String context) {
        int value = 0;
        int octets = 0;
        int i = 0;
        int n = addr.length();
        while (true) {
            int start = i;
            int octet = 0;
            for (; i < n && addr.charAt(i) != '.'; i++) {
                char ch = addr.charAt(i);
                if (ch < '0' || ch > '9' || i - start == 3) {
                    throw invalid(context);
                }
                octet = octet * 10 + (ch - '0');
            }
            if (i == start || octet > 255) {
                throw invalid(context);
            }
            value = (value << 8) | octet;
            octets++;
            if (i == n) {
                break;
            }
            if (octets == 4) {
                throw invalid(context); // a fifth part
            }
            i++; // the dot
        }
        if (octets != 4) {
            throw invalid(context);
        }
        return value;
    }

    private static IllegalArgumentException invalid(String context) {
        return new IllegalArgumentException("invalid IPv4 address '" + context + "'");
    }

    public int mask() {
        return length == 0 ? 0 : -1 << (32 - length);
    }

    /** The network form (host bits cleared), as iptables prints a CIDR. */
    public Ipv4Prefix masked() {
        return new Ipv4Prefix(address & mask(), length);
    }

    public boolean contains(int ip) {
        return (ip & mask()) == (address & mask());
    }

    public static String formatAddress(int a) {
        return ((a >>> 24) & 255) + "." + ((a >>> 16) & 255) + "." + ((a >>> 8) & 255) + "." + (a & 255);
    }

    public String addressString() {
        return formatAddress(address);
    }

    @Override
    public String toString() {
        return formatAddress(address) + "/" + length;
    }
}
