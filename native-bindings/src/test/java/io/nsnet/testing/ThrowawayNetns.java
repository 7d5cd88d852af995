package io.nsnet.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import io.nsnet.netns.NetNs;

/**
 * Throwaway namespaces named {@code nst-…}, made with iproute2 (so the code under test is not trusted to
 * make its own fixtures) and always deleted in {@link #close}, which also checks none is left.
 */
public final class ThrowawayNetns implements AutoCloseable {
    private final List<String> names = new ArrayList<>();
    private final List<NetNs> handles = new ArrayList<>();

    /** Creates {@code nst-<tag>-<random>} with {@code ip netns add} and opens it. */
    public NetNs create(String tag) {
        String name = "nst-" + tag + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20, 1 << 24));
        Observer.run("ip", "netns", "add", name);
        names.add(name);
        NetNs ns = NetNs.open(name);
        handles.add(ns);
        return ns;
    }

    /** Registers a namespace the test created itself so it is removed with the others. */
    public void adopt(String name) {
        names.add(name);
    }

    @Override
    public void close() {
        handles.forEach(NetNs::close);
        List<String> present = Observer.netnsList();
        for (String n : names) {
            if (present.contains(n)) {
                Observer.run("ip", "netns", "delete", n);
            }
        }
        List<String> left = new ArrayList<>(Observer.netnsList());
        left.retainAll(names);
        if (!left.isEmpty()) {
            throw new AssertionError("namespaces left behind: " + left);
        }
    }
}
