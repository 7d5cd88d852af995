package io.nsnet.peerbench;

import java.util.List;

/**
 * How much to measure. {@link #FULL} fits in about 20 minutes on 2 shared cores: every nsnet network create from
 * 0 to 1000 is timed, delete and the peers' create are sampled at checkpoints; dockerd is filled only to
 * {@code dockerMaxK} (its creates cost ~0.1–0.25 s each and 29 iptables processes); attach/detach are timed
 * for every sandbox from 1 to N for every tool. Every timed operation starts {@code settleMs} after the one
 * before it (see {@link Samples}).
 */
record Scale(List<Integer> kPoints, int samplesPerK, int sandboxes, int dockerMaxK, int portSamples,
        int scaleNetworks, int scaleSandboxes, int restarts, int cliRuns, int settleMs) {

    static final Scale FULL = new Scale(List.of(0, 100, 500, 1000), 20, 500, 500, 20, 1000, 1000, 3, 20, 20);
    /** A smoke run of every code path in a minute or two. */
    static final Scale QUICK = new Scale(List.of(0, 10, 30), 5, 30, 10, 5, 30, 30, 2, 5, 20);

    int maxK() {
        return kPoints.get(kPoints.size() - 1);
    }
}
