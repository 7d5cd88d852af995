package io.nsnet.agent.firewall.bench;

import io.nsnet.agent.firewall.ChainNames;
import io.nsnet.agent.firewall.FirewallApplier;
import io.nsnet.agent.firewall.FirewallBackend;
import io.nsnet.agent.firewall.FirewallState;
import io.nsnet.agent.firewall.FirewallState.Network;
import io.nsnet.agent.firewall.IptablesExec;
import io.nsnet.agent.firewall.IptablesVariant;
import io.nsnet.agent.firewall.LibiptcBackend;
import io.nsnet.agent.firewall.NetnsIptablesExec;
import io.nsnet.agent.firewall.NftBackend;
import io.nsnet.agent.firewall.Ownership;
import io.nsnet.agent.firewall.RestorePlan;
import io.nsnet.agent.firewall.RestorePlanner;
import io.nsnet.agent.firewall.RulesetGenerator;
import io.nsnet.agent.firewall.model.Ruleset;
import io.nsnet.netns.NetNs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Benchmark (not a test; run as root): the cost of adding one network's rules when 0, 100 and 1000 networks
 * exist, in a throwaway namespace {@code nst-fw-bench-…}, for both iptables variants:
 *
 * <ul>
 *   <li>{@code nsnet apply}: read live (iptables-save), diff, one iptables-restore;</li>
 *   <li>{@code nsnet incremental}: {@link FirewallApplier#applyIncremental} (re-reads only when a numbered
 *       insert is needed, which a new network's FORWARD block always is);</li>
 *   <li>{@code nsnet restore only}: the single restore transaction alone (planned beforehand);</li>
 *   <li>{@code (iptables-save alone)}: what reading the live ruleset costs, for reference;</li>
 *   <li>{@code docker 8x iptables -w}: the same 8 rules as 8 separate processes, as Docker 20.10 adds them.</li>
 * </ul>
 * The in-process backends run the same rows in a namespace of their own: {@code libiptc} (legacy tables,
 * {@link LibiptcBackend}; "commit only" is iptc_init, the plan's commands, iptc_commit, per table) and
 * {@code nftables} (iptables-nft's tables over nf_tables netlink, {@link NftBackend}; "commit only" is one
 * batch; its read while nothing changed is one generation check). {@code plan only} is nsnet's Java work for
 * the change (generate + diff against the ruleset already read), for reference.
 * All processes are spawned from a thread inside the namespace (no {@code ip netns exec} in the timings).
 * Usage: {@code FirewallBench [iterations]} (default 11).
 */
public final class FirewallBench {

    private static final int[] SIZES = {0, 100, 1000};

    private FirewallBench() {
    }

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 11;
        warmUpPlanner();
        List<String> rows = new ArrayList<>();
        rows.add(String.format("%-8s %5s  %-28s %8s %8s %8s  %9s %9s", "backend", "nets", "method", "min ms", "median", "max ms",
                "vs docker", "vs 0 nets"));
        for (IptablesVariant v : IptablesVariant.values()) {
            String name = "nst-fw-bench-" + UUID.randomUUID().toString().substring(0, 6);
            NetNs ns = NetNs.create(name);
            try {
                runVariant(v, new NetnsIptablesExec(ns), null, null, iterations, rows);
                if (v == IptablesVariant.NFT || LibiptcBackend.available()) {
                    rows.add("");
                    // A fresh namespace, so the in-process figures start from the same empty tables.
                    String lname = "nst-fw-bench-" + UUID.randomUUID().toString().substring(0, 6);
                    NetNs lns = NetNs.create(lname);
                    try {
                        FirewallBackend inProcess = v == IptablesVariant.NFT ? new NftBackend(lns) : new LibiptcBackend(lns);
                        runVariant(v, new NetnsIptablesExec(lns), inProcess, lns, iterations, rows);
                    } finally {
                        lns.close();
                        NetNs.delete(lname);
                    }
                }
            } finally {
                ns.close();
                NetNs.delete(name);
            }
            rows.add("");
        }
        rows.forEach(System.out::println);
    }

    /**
     * @param lib   the libiptc backend to measure, or null for iptables-save/iptables-restore processes
     * @param libNs the namespace lib works in (for the floor row), or null
     */
    private static void runVariant(IptablesVariant v, IptablesExec exec, FirewallBackend lib, NetNs libNs, int iterations,
            List<String> rows) throws IOException {
        Map<String, double[]> zero = new LinkedHashMap<>();
        String label = lib == null ? v.name().toLowerCase() : lib.name();
        for (int size : SIZES) {
            FirewallApplier applier = lib == null ? new FirewallApplier(exec, v, "NSNET") : new FirewallApplier(lib, v, "NSNET");
            FirewallState base = state(size, 0);
            applier.apply(base); // load the existing networks (and move from the previous size)
            Map<String, double[]> results = new LinkedHashMap<>();
            // Each iteration adds network #size (a fresh bridge name each time) and removes it again, untimed.
            results.put("nsnet apply", measure(iterations, i -> applier.apply(state(size, i + 1)), () -> applier.apply(base)));
            results.put("nsnet incremental", measure(iterations, i -> applier.applyIncremental(state(size, i + 1)),
                    () -> applier.apply(base)));
            results.put(lib == null ? "nsnet restore only" : "nsnet " + lib.name() + " commit only",
                    measureRestoreOnly(v, exec, lib, applier, size, iterations));
            results.put("(plan only)", measurePlanOnly(applier, size, iterations));
            results.put(lib == null ? "(iptables-save alone)" : "(" + lib.name() + " read alone)",
                    measure(iterations, i -> applier.readLive(), () -> { }));
            if (lib instanceof NftBackend nft) {
                // What the kernel alone costs for any change of the filter table: one plain rule into INPUT.
                RestorePlan add = new RestorePlan("*filter\n-A INPUT -i nsbench0 -j ACCEPT\nCOMMIT\n", 1,
                        new Ruleset(Map.of()), false);
                RestorePlan del = new RestorePlan("*filter\n-D INPUT -i nsbench0 -j ACCEPT\nCOMMIT\n", 1,
                        new Ruleset(Map.of()), false);
                results.put("(nf_tables floor, 1 rule)", measure(iterations, i -> {
                    nft.readLive();
                    nft.commit(add);
                }, () -> {
                    nft.readLive();
                    nft.commit(del);
                }));
            }
            if (lib instanceof LibiptcBackend) {
                results.put("(libiptc floor, 2 tables)", measure(iterations, i -> replaceBothTablesUnchanged(libNs), () -> { }));
            }
            results.put("docker 8x iptables -w", measure(iterations, i -> dockerWay(v, exec, extra(size, i + 1), "-I"),
                    () -> { }, i -> dockerWay(v, exec, extra(size, i + 1), "-D")));
            applier.teardown(List.of());
            double docker = median(results.get("docker 8x iptables -w"));
            for (Map.Entry<String, double[]> e : results.entrySet()) {
                double[] t = e.getValue();
                if (size == 0) {
                    zero.put(e.getKey(), t);
                }
                rows.add(String.format("%-8s %5d  %-28s %8.2f %8.2f %8.2f  %8.2fx %8.2fx", label, size, e.getKey(),
                        t[0], median(t), t[t.length - 1], median(t) / docker, median(t) / median(zero.get(e.getKey()))));
            }
        }
    }

    /**
     * The daemon is long-running, so its planner is JIT-compiled by the time it matters; plan a 1000-network
     * change a few hundred times first so the figures are not dominated by interpretation (~25 ms cold, ~6 ms
     * warm for parse + generate + plan at 1000 networks).
     */
    private static void warmUpPlanner() {
        FirewallState big = state(1000, 0);
        FirewallState bigger = state(1000, 1);
        String save = io.nsnet.agent.firewall.model.SaveFormat.render(RulesetGenerator.generate(big).toRuleset());
        for (int i = 0; i < 200; i++) {
            Ruleset live = io.nsnet.agent.firewall.model.SaveFormat.parse(save);
            RestorePlanner.plan(live, RulesetGenerator.generate(bigger), new Ownership(new ChainNames("NSNET"), bigger.networks()),
                    i % 2 == 0);
        }
    }

    interface Step {
        void run(int i) throws Exception;
    }

    private static double[] measure(int n, Step timed, Runnable undo) {
        return measure(n, timed, undo, null);
    }

    private static double[] measure(int n, Step timed, Runnable undo, Step undoIndexed) {
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            try {
                timed.run(i);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            t[i] = (System.nanoTime() - start) / 1e6;
            try {
                if (undoIndexed != null) {
                    undoIndexed.run(i);
                } else {
                    undo.run();
                }
                settle();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        Arrays.sort(t);
        return t;
    }

    /**
     * Waits out the kernel's deferred clean-up of the undo step before the next timed step. nf_tables frees
     * deleted rules after an RCU grace period, in a work item, and adding an x_tables extension (conntrack,
     * MASQUERADE, ...) right after such a delete waits for that work: 8-15 ms on this VM, versus 0.2 ms 40 ms
     * later (measured with a single conntrack rule, by any writer). A daemon rarely adds a network within
     * milliseconds of deleting one; a benchmark that alternates add and delete always would.
     */
    private static void settle() throws InterruptedException {
        Thread.sleep(SETTLE_MS);
    }

    private static final int SETTLE_MS = 40;

    /**
     * Generate + diff for adding one network, against the ruleset as read once beforehand, with a memo that has
     * seen the existing networks (as the applier's has).
     */
    private static double[] measurePlanOnly(FirewallApplier applier, int size, int n) {
        Ruleset live = applier.readLive();
        io.nsnet.agent.firewall.RuleMemo memo = io.nsnet.agent.firewall.RuleMemo.create();
        Step plan = i -> {
            FirewallState next = state(size, i + 1);
            memo.nextRound();
            RestorePlanner.plan(live, RulesetGenerator.generate(next, memo),
                    new Ownership(new ChainNames("NSNET"), next.networks(), memo));
        };
        try {
            plan.run(0);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return measure(n, plan, () -> { });
    }

    private static double[] measureRestoreOnly(IptablesVariant v, IptablesExec exec, FirewallBackend lib, FirewallApplier applier,
            int size, int n) {
        return restoreOnly(v, exec, lib, applier, state(size, 0), size, n, applier::readLive);
    }

    private static double[] restoreOnly(IptablesVariant v, IptablesExec exec, FirewallBackend lib, FirewallApplier applier,
            FirewallState base, int size, int n, Supplier<Ruleset> live) {
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            FirewallState next = state(size, i + 1);
            RestorePlan plan = RestorePlanner.plan(live.get(), RulesetGenerator.generate(next),
                    new Ownership(new ChainNames("NSNET"), next.networks()));
            long start = System.nanoTime();
            if (lib != null) {
                lib.commit(plan);
            } else {
                try {
                    IptablesExec.Result r = exec.run(v.restoreArgv(), plan.script());
                    if (!r.ok()) {
                        throw new IllegalStateException(r.stderr());
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
            t[i] = (System.nanoTime() - start) / 1e6;
            applier.apply(base);
            try {
                settle();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        Arrays.sort(t);
        return t;
    }

    /**
     * What any libiptc change of filter and nat costs at least: each table read (iptc_init), marked changed (a
     * rule added and removed again) and committed (the kernel replaces and re-checks the whole table), as a
     * new network's change does. The difference to "libiptc commit only" is all nsnet's own work.
     */
    private static void replaceBothTablesUnchanged(NetNs ns) {
        byte[] dummy = io.nsnet.iptc.IptEntryCodec.encode(new io.nsnet.iptc.IptEntry(
                io.nsnet.iptc.IptIp.ANY.withIn("nsbench0", false), List.of(), io.nsnet.iptc.XtTarget.Verdict.ACCEPT));
        ns.run(() -> {
            try (io.nsnet.iptc.XtablesLock lock = io.nsnet.iptc.XtablesLock.acquire()) {
                for (String[] t : new String[][] {{"filter", "FORWARD"}, {"nat", "POSTROUTING"}}) {
                    try (io.nsnet.iptc.IptcHandle h = io.nsnet.iptc.IptcHandle.open(t[0])) {
                        h.append(t[1], dummy);
                        h.deleteMatching(t[1], dummy);
                        h.commit();
                    }
                }
            }
        });
    }

    /** Docker 20.10's 8 iptables processes for one network (-I to add, -D to remove). */
    private static void dockerWay(IptablesVariant v, IptablesExec exec, Network n, String op) throws IOException {
        String b = n.bridge();
        List<List<String>> cmds = List.of(
                List.of("-t", "nat", op, "POSTROUTING", "-s", n.subnet(), "!", "-o", b, "-j", "MASQUERADE"),
                List.of("-t", "nat", op, "NSNET", "-i", b, "-j", "RETURN"),
                List.of(op, "FORWARD", "-i", b, "-o", b, "-j", "ACCEPT"),
                List.of(op, "FORWARD", "-i", b, "!", "-o", b, "-j", "ACCEPT"),
                List.of(op, "FORWARD", "-o", b, "-j", "NSNET"),
                List.of(op, "FORWARD", "-o", b, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"),
                List.of(op, "NSNET-ISOLATION-STAGE-1", "-i", b, "!", "-o", b, "-j", "NSNET-ISOLATION-STAGE-2"),
                List.of(op, "NSNET-ISOLATION-STAGE-2", "-o", b, "-j", "DROP"));
        for (List<String> c : cmds) {
            List<String> argv = new ArrayList<>();
            argv.add(v.iptables());
            argv.add("-w");
            argv.addAll(c);
            IptablesExec.Result r = exec.run(argv, null);
            if (!r.ok()) {
                throw new IllegalStateException(argv + ": " + r.stderr());
            }
        }
    }

    /** {@code size} networks, plus the extra network number {@code extra} when extra > 0. */
    static FirewallState state(int size, int extra) {
        List<Network> nets = new ArrayList<>(size + 1);
        for (int i = 0; i < size; i++) {
            nets.add(network(i));
        }
        if (extra > 0) {
            nets.add(extra(size, extra));
        }
        return new FirewallState("NSNET", true, nets, List.of());
    }

    private static Network extra(int size, int extra) {
        return network(5000 + extra);
    }

    private static Network network(int i) {
        return Network.bridge("nsn-" + i, "10." + (i / 250) + "." + (i % 250) + ".0/24");
    }

    private static double median(double[] sorted) {
        return sorted[sorted.length / 2];
    }
}
