package io.nsnet.peerbench;

import java.util.List;

import io.nsnet.netns.NetNs;

/**
 * The bench's throwaway namespaces: every one is named {@code nst-pb<tag>-…}, so a sweep by that prefix removes
 * exactly what this run made, whatever step failed. Timed operations use {@code ip netns add/del} processes (what
 * a peer's caller would run); set-up and the final sweep use the native layer, which is quicker.
 */
final class Namespaces {
    private final String prefix;

    Namespaces(String tag) {
        this.prefix = "nst-pb" + tag + "-";
    }

    String prefix() {
        return prefix;
    }

    String name(String suffix) {
        return prefix + suffix;
    }

    /** A host-like namespace with lo up. */
    String createHost(String suffix) {
        String name = name(suffix);
        Proc.run(List.of("ip", "netns", "add", name), null);
        Proc.run(List.of("ip", "-n", name, "link", "set", "lo", "up"), null);
        return name;
    }

    static void addTimed(String name) {
        Proc.run(List.of("ip", "netns", "add", name), null);
    }

    static void deleteTimed(String name) {
        Proc.run(List.of("ip", "netns", "del", name), null);
    }

    /** Deletes every namespace of this run; returns how many. */
    int sweep() {
        int n = 0;
        for (String name : NetNs.list()) {
            if (name.startsWith(prefix)) {
                try {
                    NetNs.delete(name);
                    n++;
                } catch (RuntimeException e) {
                    System.err.println("cannot delete namespace " + name + ": " + e.getMessage());
                }
            }
        }
        return n;
    }
}
