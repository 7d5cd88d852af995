package io.nsnet.sysctl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;

import io.nsnet.netns.NetNs;

/**
 * Reads and writes the sysctls of one network namespace without spawning {@code sysctl}.
 *
 * <p>/proc/sys/net resolves to the network namespace of the thread that opens the file (unlike /proc/net,
 * which follows the thread-group leader), so each access runs on a worker inside the namespace.
 */
public final class Sysctls {
    private static final Pattern KEY = Pattern.compile("net(\\.[A-Za-z0-9_\\-@]+)+");
    private final NetNs ns;

    public Sysctls(NetNs ns) {
        this.ns = ns;
    }

    /** {@code net.ipv4.conf.IFNAME.route_localnet}: names may hold dots, so this is built, not parsed. */
    public static String interfaceKey(String family, String ifname, String leaf) {
        return "net." + family + ".conf." + ifname.replace('.', '/') + "." + leaf;
    }

    static Path pathOf(String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("sysctl key \"" + key + "\" is not a net.* key such as net.ipv4.ip_forward");
        }
        // As sysctl(8): dots separate levels, and a '/' in a key stands for a dot inside one level (vlan names).
        String[] parts = key.split("\\.");
        Path p = Path.of("/proc/sys");
        for (String part : parts) {
            p = p.resolve(part.replace('/', '.'));
        }
        return p;
    }

    public String get(String key) {
        Path p = pathOf(key);
        return ns.call(() -> {
            try {
                return Files.readString(p, StandardCharsets.US_ASCII).trim();
            } catch (NoSuchFileException e) {
                throw new SysctlException("sysctl " + key + " does not exist in " + ns);
            }
        });
    }

    public void set(String key, String value) {
        ns.run(() -> {
            boolean exists;
            try {
                exists = setOnThisThread(key, value);
            } catch (SysctlException e) {
                throw new SysctlException(e.getMessage() + " (in " + ns + ")");
            }
            if (!exists) {
                throw new SysctlException("sysctl " + key + " does not exist in " + ns);
            }
        });
    }

    /**
     * Sets a sysctl of the namespace the calling thread is in, for code already running inside one (such as the
     * thread that has just made it, before there is a handle to hand work to). Returns false if the key does not
     * exist (e.g. an IPv6 key on a kernel without IPv6).
     *
     * @throws SysctlException if it exists but cannot be written
     */
    public static boolean setOnThisThread(String key, String value) {
        Path p = pathOf(key);
        try {
            Files.writeString(p, value + "\n", StandardCharsets.US_ASCII);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new SysctlException("cannot set " + key + "=" + value + ": " + e.getMessage());
        }
    }

    /**
     * Turns IPv6 off on one link of this namespace ({@code net.ipv6.conf.IFNAME.disable_ipv6=1}): no link-local
     * address, no multicast or prefix route, no DAD, and the kernel's IPv6 code skips the link's up and down
     * events. Best done while the link is down, so that it never gets any of those. Returns false on a kernel
     * without IPv6 (nothing to turn off).
     *
     * @throws SysctlException if the link does not exist or the setting cannot be written
     */
    public boolean disableIpv6(String ifname) {
        String key = interfaceKey("ipv6", ifname, "disable_ipv6");
        return ns.call(() -> {
            if (setOnThisThread(key, "1")) {
                return true;
            }
            if (Files.isDirectory(Path.of("/proc/sys/net/ipv6/conf"))) {
                throw new SysctlException("cannot turn IPv6 off on " + ifname + " in " + ns + ": no such link");
            }
            return false;
        });
    }

    /** Sets the value only if it differs, and returns the previous value. */
    public String ensure(String key, String value) {
        String old = get(key);
        if (!old.equals(value)) {
            set(key, value);
        }
        return old;
    }

    /** A sysctl that is missing or cannot be written. */
    public static final class SysctlException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public SysctlException(String message) {
            super(message);
        }
    }
}
