package io.nsnet.link;

import java.nio.charset.StandardCharsets;

/** Interface-name rules of the kernel's dev_valid_name(), checked before anything reaches the kernel. */
public final class IfName {
    /** IFNAMSIZ is 16 including the terminating NUL. */
    public static final int MAX_BYTES = 15;

    private IfName() {
    }

    public static String validate(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("interface name is empty");
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw new IllegalArgumentException("interface name \"" + name + "\" is " + bytes
                    + " bytes; Linux allows at most " + MAX_BYTES + " (IFNAMSIZ)");
        }
        if (name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("interface name \"" + name + "\" is reserved");
        }
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (ch == '/' || ch == ':' || Character.isWhitespace(ch) || ch < 32) {
                throw new IllegalArgumentException("interface name \"" + name
                        + "\" may not contain '/', ':', whitespace or control characters");
            }
        }
        return name;
    }
}
