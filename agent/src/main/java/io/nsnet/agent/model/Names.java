package io.nsnet.agent.model;

import java.util.random.RandomGenerator;

/**
 * Generates ids and kernel object names. Holds its random source as an instance field (no static state):
 * the daemon passes a {@link java.security.SecureRandom}, tests a seeded generator for reproducible names.
 */
public final class Names {

    /** Prefix of bridges named from the network id; Docker uses {@code br-}. */
    public static final String BRIDGE_PREFIX = "nsn-";

    /**
     * Hex digits of the id in a derived bridge name. Docker's {@code br-} + 12 fits IFNAMSIZ exactly; nsnet's
     * prefix is one byte longer, so it takes 11 digits to stay at 15 bytes (44 random bits: collisions are
     * practically impossible, and the store's unique index on bridge names catches one anyway).
     */
    public static final int BRIDGE_ID_DIGITS = Validation.MAX_INTERFACE_NAME - BRIDGE_PREFIX.length();

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final RandomGenerator random;

    public Names(RandomGenerator random) {
        this.random = random;
    }

    /** A new 64-hex-digit id (256 random bits), as Docker's network and container ids. */
    public String newId() {
        return hex(64);
    }

    /** A new host-side veth name, {@code veth} + 7 hex digits, as Docker's. */
    public String newVethName() {
        return "veth" + hex(7);
    }

    /** The bridge name for a network without {@code --bridge-name}: {@code nsn-} + the id's first 11 hex digits. */
    public static String bridgeNameFor(String networkId) {
        Validation.id("network id", networkId);
        return BRIDGE_PREFIX + networkId.substring(0, BRIDGE_ID_DIGITS);
    }

    /** The named namespace of a sandbox: {@code sandboxPrefix + name}, after checking both. */
    public static String netnsNameFor(String sandboxPrefix, String sandboxName) {
        Validation.sandboxPrefix(sandboxPrefix);
        Validation.sandboxName(sandboxName, sandboxPrefix);
        return sandboxPrefix + sandboxName;
    }

    /**
     * The digits come from one draw of random bytes: a SecureRandom takes a lock and mixes in /dev/urandom on
     * every call, and a digit at a time made 71 such calls per sandbox (~7% of an attach's CPU).
     */
    private String hex(int digits) {
        byte[] bytes = new byte[(digits + 1) / 2];
        random.nextBytes(bytes);
        char[] out = new char[digits];
        for (int i = 0; i < digits; i++) {
            int b = bytes[i / 2];
            out[i] = HEX[(i % 2 == 0 ? b >> 4 : b) & 0xf];
        }
        return new String(out);
    }
}
