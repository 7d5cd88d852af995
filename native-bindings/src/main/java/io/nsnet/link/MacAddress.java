package io.nsnet.link;

import java.util.HexFormat;

/** A 48-bit Ethernet address. */
public record MacAddress(byte[] bytes) {
    public MacAddress {
        if (bytes == null || bytes.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 bytes");
        }
        bytes = bytes.clone();
    }

    public static MacAddress parse(String text) {
        String[] parts = text == null ? new String[0] : text.split(":");
        if (parts.length != 6) {
            throw new IllegalArgumentException("MAC address \"" + text + "\" is not six hex bytes like 02:42:ac:11:00:02");
        }
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            if (parts[i].length() != 2) {
                throw new IllegalArgumentException("MAC address \"" + text + "\" is not six hex bytes like 02:42:ac:11:00:02");
            }
            try {
                b[i] = (byte) Integer.parseInt(parts[i], 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("MAC address \"" + text + "\" is not six hex bytes like 02:42:ac:11:00:02");
            }
        }
        return new MacAddress(b);
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress m && java.util.Arrays.equals(bytes, m.bytes);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(bytes);
    }
}
