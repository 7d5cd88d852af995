package io.nsnet.peerbench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.nsnet.bench.Stats;

/**
 * nsnet against its peers in one run, on one machine: network create/delete as k grows (nsnetd's API, dockerd
 * 20.10's API, the ip/iptables-restore floor), sandbox attach/detach as N grows and attach with a published port
 * (nsnetd, CNI bridge ± portmap, netavark, the floor), nsnetd's RSS and start-up + reconcile with 1000 networks
 * and 1000 sandboxes (and that a restart leaves iptables-save identical), and `nsnet network ls`.
 *
 * <p>Everything happens inside throwaway namespaces {@code nst-pb<tag>-…}, one "host" per tool, so the tools
 * never see each other's bridges or rules; the root namespace is never touched. Tools alternate operation by
 * operation so they share the machine's noise. Writes RESULTS.md, one CSV and one PNG per operation.
 *
 * <p>Usage (root): {@code PeerBench [--quick] [--repo DIR] [--out DIR] [--daemon-jvm-opts "…"]}.
 */
public final class PeerBench {
    private static final String CREATE = "network create";
    private static final String DELETE = "network delete";
    private static final String FILL = "network create while filling";
    private static final String ATTACH = "attach";
    private static final String DETACH = "detach";
    private static final String ATTACH_PORT = "attach with one published port";
    private static final String DETACH_PORT = "detach with one published port";
    private static final String LINK_DEL = "ip link del";
    private static final String TMPFS = "nsnet, state on tmpfs (no fsync)";
    private static final String FSYNC = "fsync on the state directory's filesystem";

    private final Scale scale;
    private final Path repo;
    private final Path out;
    private final List<String> daemonJvmOpts;
    private final Samples samples;
    private final Report report;
    private final List<String> notes = new ArrayList<>();
    private volatile NsnetDaemon extraDaemon;
    private double attachLoopCpuPerOp = Double.NaN;

    private PeerBench(Scale scale, Path repo, Path out, List<String> daemonJvmOpts) {
        this.scale = scale;
        this.samples = new Samples(scale.settleMs());
        this.report = new Report(samples);
        this.repo = repo;
        this.out = out;
        this.daemonJvmOpts = daemonJvmOpts;
    }

    public static void main(String[] args) throws Exception {
        Scale scale = Scale.FULL;
        Path repo = Path.of(".").toAbsolutePath().normalize();
        Path out = null;
        // Extra JVM flags for nsnetd, on top of bin/nsnetd's own (which the run uses when it exists).
        List<String> jvm = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick":
                    scale = Scale.QUICK;
                    break;
                case "--repo":
                    repo = Path.of(args[++i]).toAbsolutePath().normalize();
                    break;
                case "--out":
                    out = Path.of(args[++i]).toAbsolutePath();
                    break;
                case "--daemon-jvm-opts":
                    jvm = args[++i].isBlank() ? List.of() : List.of(args[i].trim().split("\\s+"));
                    break;
                default:
                    System.err.println("usage: PeerBench [--quick] [--repo DIR] [--out DIR] [--daemon-jvm-opts \"…\"]");
                    System.exit(2);
            }
        }
        if (out == null) {
            out = repo.resolve(scale == Scale.QUICK ? "bench/results-quick" : "bench/results");
        }
        Files.createDirectories(out);
        new PeerBench(scale, repo, out, jvm).run();
        // Whatever client threads a failure path left running, the run is over.
        System.exit(0);
    }

    private static void log(String fmt, Object... args) {
        System.out.println("[" + java.time.LocalTime.now().withNano(0) + "] " + String.format(Locale.ROOT, fmt, args));
    }

    private void run() throws Exception {
        String tag = Long.toHexString(ProcessHandle.current().pid());
        Namespaces ns = new Namespaces(tag);
        Path work = Files.createTempDirectory("nsnet-peerbench.");
        String load0 = Files.readString(Path.of("/proc/loadavg")).strip();
        Instant started = Instant.now();
        NsnetDaemon nsnet = null;
        Path shm = null;
        String versions = "(not read)";
        DockerPeer docker = null;
        // Cleanup must run even on Ctrl-C: a shutdown hook does it once, the finally block runs the same hook.
        Thread cleanup = null;
        try {
            String hostN = ns.createHost("h");
            String hostD = ns.createHost("d");
            String hostF = ns.createHost("fn");
            String hostFa = ns.createHost("fa");
            String hostC = ns.createHost("c");
            String hostV = ns.createHost("v");
            nsnet = new NsnetDaemon(repo, daemonJvmOpts, hostN, work, ns.name("s-"));
            docker = new DockerPeer(hostD, work);
            NsnetDaemon n0 = nsnet;
            DockerPeer d0 = docker;
            cleanup = new Thread(() -> {
                if (extraDaemon != null) {
                    extraDaemon.close();
                }
                cleanUp(n0, d0, ns, work);
                Proc.tryRun(List.of("sh", "-c", "rm -rf /dev/shm/nsnet-peerbench.*"), java.util.Map.of(), null);
            }, "bench-cleanup");
            Runtime.getRuntime().addShutdownHook(cleanup);

            log("starting nsnetd in %s and dockerd in %s (work dir %s)", hostN, hostD, work);
            double firstStart = nsnet.start();
            log("nsnetd answered /v1/info after %.0f ms (empty state)", firstStart);
            docker.start();
            versions = "dockerd " + docker.version() + "; " + CniPeer.version().replace('\n', ' ') + "; "
                    + NetavarkPeer.version() + "; " + Proc.run(List.of("iptables", "--version"), null).strip()
                    + "; kernel " + Proc.run(List.of("uname", "-r"), null).strip() + "; "
                    + Runtime.version() + " (" + System.getProperty("java.vm.name") + "); nsnetd firewall backend "
                    + nsnet.firewallBackend();
            log("versions: %s", versions);

            FloorPeer floorNet = new FloorPeer(hostF, ns);
            floorNet.setUp();
            FloorPeer floorAttach = new FloorPeer(hostFa, ns);
            floorAttach.setUp();
            CniPeer cni = new CniPeer(hostC, ns, work);
            NetavarkPeer netavark = new NetavarkPeer(hostV, ns, work);

            FsyncFloor.measure(samples, FSYNC, work, 30);
            NsnetDaemon n1 = nsnet;
            phase("CLI network ls", () -> cliRuns(n1, "network ls (2 networks)"));
            // A second nsnetd whose state lives on tmpfs, where fsync returns at once: the same daemon and kernel
            // work without the disk's durability wait, to show how much of an operation that wait is.
            shm = Files.createTempDirectory(Path.of("/dev/shm"), "nsnet-peerbench.");
            NsnetDaemon tmpfs = new NsnetDaemon(TMPFS, repo, daemonJvmOpts, ns.createHost("h2"), shm, ns.name("t-"));
            extraDaemon = tmpfs;
            tmpfs.start();
            NativeAttachPeer kernel = new NativeAttachPeer(ns.createHost("k"), ns,
                    "nftables".equals(nsnet.firewallBackend()));
            phase("attach/detach", () -> attachPhase(n1, tmpfs, cni, netavark, floorAttach, kernel));
            kernel.close();
            tmpfs.stop();
            DockerPeer d1 = docker;
            // The kernel's share of a create, beside nsnetd's, when nsnetd writes nf_tables itself (NftBackend).
            NativeNetworkPeer kernelNet = "nftables".equals(nsnet.firewallBackend())
                    ? new NativeNetworkPeer(ns.createHost("kn")) : null;
            phase("network create/delete", () -> networkPhase(n1, d1, floorNet, kernelNet));
            if (kernelNet != null) {
                // Its 1000 bridges and rules removed now, not left to the final sweep, so that they do not weigh
                // on the kernel during the scale phase's restarts and the CLI runs.
                kernelNet.removeAll();
                kernelNet.close();
            }
            docker.close();
            phase("scale and restart", () -> scalePhase(n1, hostN));
            phase("CLI network ls", () -> cliRuns(n1, "network ls (" + (scale.scaleNetworks() + 2) + " networks)"));
        } finally {
            // Whatever was measured is written, even when a phase or the set-up failed.
            try {
                String load1 = Files.readString(Path.of("/proc/loadavg")).strip();
                writeResults(started, versions, load0, load1);
            } catch (Exception e) {
                System.err.println("cannot write results: " + e);
                e.printStackTrace();
            }
            if (cleanup != null) {
                Runtime.getRuntime().removeShutdownHook(cleanup);
                cleanup.run();
            } else {
                cleanUp(nsnet, docker, ns, work);
            }
        }
    }

    /** Runs one phase; a failure is reported in RESULTS.md and the run goes on with the next phase. */
    private void phase(String name, Runnable body) {
        try {
            body.run();
        } catch (RuntimeException e) {
            log("phase %s FAILED: %s", name, e);
            e.printStackTrace();
            notes.add("**Phase \"" + name + "\" failed:** `" + e.toString().replace('\n', ' ') + "`; its results are partial.");
        }
    }

    private static void cleanUp(NsnetDaemon nsnet, DockerPeer docker, Namespaces ns, Path work) {
        if (docker != null) {
            docker.close();
        }
        if (nsnet != null) {
            nsnet.close();
        }
        int n = ns.sweep();
        log("cleanup: removed %d namespaces %s*", n, ns.prefix());
        try {
            Proc.run(List.of("rm", "-rf", work.toString()), null);
        } catch (RuntimeException e) {
            System.err.println("cannot remove " + work + ": " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ attach / detach

    private void attachPhase(NsnetDaemon nsnet, NsnetDaemon tmpfs, CniPeer cni, NetavarkPeer netavark, FloorPeer floor,
            NativeAttachPeer kernel) {
        nsnet.createAttachNetwork();
        tmpfs.createAttachNetwork();
        List<AttachTool> tools = List.of(nsnet, tmpfs, cni, netavark, floor, kernel);
        int n = scale.sandboxes();
        int portBase = 100_000 % 10_000 + n; // port sandboxes are numbered after the N plain ones
        log("attach with a published port at N=0 (%d each)", scale.portSamples());
        portSamples(tools, kernel, 0, portBase);
        log("attach 1..%d (every one timed)", n);
        double nsnetCpu0 = nsnet.cpuMs();
        for (int i = 0; i < n; i++) {
            int x = i + 1;
            for (AttachTool t : tools) {
                String label = t == cni ? "CNI bridge" : t.name();
                int idx = i;
                samples.time(label, ATTACH, x, t::cpuMs, () -> t.attach(idx, false));
            }
            if (x % 100 == 0) {
                log("  N=%d: nsnet median so far %.2f ms", x, Stats.of(Samples.wall(samples.of("nsnet", ATTACH))).median());
            }
        }
        // The per-op CPU is read around each request; what nsnetd does between requests (the next sandbox's
        // namespace, made ahead) falls outside those windows, so the whole loop's CPU is reported too.
        attachLoopCpuPerOp = (nsnet.cpuMs() - nsnetCpu0) / n;
        log("attach with a published port at N=%d", n);
        portSamples(tools, kernel, n, portBase + scale.portSamples());
        log("detach %d..1", n);
        for (int i = n - 1; i >= 0; i--) {
            int x = i + 1;
            for (AttachTool t : tools) {
                int idx = i;
                samples.time(t == cni ? "CNI bridge" : t.name(), DETACH, x, t::cpuMs, () -> t.detach(idx));
                if (t == floor) {
                    samples.add(new Sample(LINK_DEL, DETACH, x, floor.lastLinkDelMs(), Double.NaN));
                }
            }
        }
    }

    /**
     * portSamples sandboxes with one published port each at scale x, attached then detached, per tool. The
     * in-process kernel floor takes part with its own timing of kernel work only (when it writes nf_tables as the
     * daemon does); its detaches are not timed.
     */
    private void portSamples(List<AttachTool> all, NativeAttachPeer kernel, int x, int firstIndex) {
        List<AttachTool> tools = all.stream().filter(t -> !(t instanceof NativeAttachPeer)).toList();
        boolean floorRuns = kernel.hasPortFloor();
        for (int j = 0; j < scale.portSamples(); j++) {
            int idx = firstIndex + j;
            for (AttachTool t : tools) {
                String label = t instanceof CniPeer ? "CNI bridge + portmap" : t.name();
                samples.time(label, ATTACH_PORT, x, t::cpuMs, () -> t.attach(idx, true));
            }
            if (floorRuns) {
                samples.settle();
                samples.add(new Sample(NativeAttachPeer.PORT_FLOOR, ATTACH_PORT, x, kernel.attachWithPort(idx), Double.NaN));
            }
        }
        for (int j = 0; j < scale.portSamples(); j++) {
            int idx = firstIndex + j;
            for (AttachTool t : tools) {
                String label = t instanceof CniPeer ? "CNI bridge + portmap" : t.name();
                samples.time(label, DETACH_PORT, x, t::cpuMs, () -> t.detach(idx));
            }
            if (floorRuns) {
                kernel.detachWithPort(idx);
            }
        }
    }

    // ------------------------------------------------------------------ networks

    private void networkPhase(NsnetDaemon nsnet, DockerPeer docker, FloorPeer floor, NativeNetworkPeer kernel) {
        List<NetworkTool> all = List.of(nsnet, docker, floor);
        int filled = 0;
        int temp = scale.maxK() + 100; // checkpoint networks are numbered after the fill
        for (int k : scale.kPoints()) {
            for (; filled < k; filled++) {
                int i = filled;
                for (NetworkTool t : all) {
                    if (t == docker && i >= scale.dockerMaxK()) {
                        continue;
                    }
                    samples.time(t.name(), FILL, i, t::cpuMs, () -> t.createNetwork(i));
                    if (t == nsnet && kernel != null) {
                        // Right after nsnetd's, so that nsnetd's next create still follows the floor's, as before
                        // this peer existed: its commits at high k are the heaviest kernel work of the loop.
                        kernelSample(kernel, FILL, i, i);
                    }
                }
                if ((i + 1) % 100 == 0) {
                    log("  filled %d networks", i + 1);
                }
            }
            List<NetworkTool> here = k <= scale.dockerMaxK() ? all : List.of(nsnet, floor);
            log("network create/delete at k=%d (%d each, tools %s)", k, scale.samplesPerK(),
                    here.stream().map(NetworkTool::name).toList());
            for (int j = 0; j < scale.samplesPerK(); j++) {
                int i = temp + j;
                for (NetworkTool t : here) {
                    samples.time(t.name(), CREATE, k, t::cpuMs, () -> t.createNetwork(i));
                    if (t == nsnet && kernel != null) {
                        kernelSample(kernel, CREATE, k, i);
                    }
                }
            }
            for (int j = 0; j < scale.samplesPerK(); j++) {
                int i = temp + j;
                here.forEach(t -> samples.time(t.name(), DELETE, k, t::cpuMs, () -> t.deleteNetwork(i)));
                if (kernel != null) {
                    kernel.deleteNetwork(i); // untimed: only its create's kernel time is reported
                }
            }
        }
        double rss = nsnet.rssMiB();
        report.text(String.format(Locale.ROOT, "nsnetd VmRSS with %d user networks (+ default + attach): **%.1f MiB**",
                scale.maxK(), rss));
        rssWithNetworks = rss;
        log("nsnetd RSS with %d networks: %.1f MiB", scale.maxK(), rss);
    }

    /** One in-process create of network i, its kernel time recorded as two series (see {@link NativeNetworkPeer}). */
    private void kernelSample(NativeNetworkPeer kernel, String op, int x, int i) {
        samples.settle();
        NativeNetworkPeer.Times t = kernel.createNetwork(i);
        samples.add(new Sample(NativeNetworkPeer.SUM, op, x, t.sumMs(), Double.NaN));
        samples.add(new Sample(NativeNetworkPeer.COMMIT, op, x, t.commitMs(), Double.NaN));
    }

    /**
     * The kernel's own growth over the same fill, from the in-process peer: the nf_tables commit of one network's
     * rules, which nsnetd waits for before answering. If it alone grows by more than nsnet's whole first-100
     * median, no create that is applied before it is answered can stay within 2×.
     */
    private String kernelGrowth(double nsnetFirst, int maxK) {
        if (samples.of(NativeNetworkPeer.COMMIT, FILL).isEmpty()) {
            return "";
        }
        int lo = Math.min(99, maxK - 1);
        int hi = Math.max(0, maxK - 100);
        double c0 = report.median(NativeNetworkPeer.COMMIT, FILL, 0, lo);
        double c1 = report.median(NativeNetworkPeer.COMMIT, FILL, hi, maxK - 1);
        double s0 = report.median(NativeNetworkPeer.SUM, FILL, 0, lo);
        double s1 = report.median(NativeNetworkPeer.SUM, FILL, hi, maxK - 1);
        String why = c1 - c0 > nsnetFirst
                ? String.format(Locale.ROOT, ": the commit's growth alone (+%s ms) exceeds nsnet's whole first-100 "
                        + "median (%s ms), so the last 100 cannot be within 2× of the first 100 for any create that is "
                        + "committed to nf_tables before it is answered", Report.ms(c1 - c0), Report.ms(nsnetFirst))
                : String.format(Locale.ROOT, " (+%s ms, less than nsnet's first-100 median: not the whole reason)",
                        Report.ms(c1 - c0));
        return String.format(Locale.ROOT, ". The kernel alone, the same change in-process (rules planned beforehand, "
                + "untimed): nf_tables commit of one network's rules, first 100 %s ms, last 100 %s ms (%.1f×); with the "
                + "bridge, %s → %s ms. nf_tables validates the whole table and rebuilds each changed chain (FORWARD: "
                + "4 rules per network) on every commit%s", Report.ms(c0), Report.ms(c1), c1 / c0, Report.ms(s0),
                Report.ms(s1), why);
    }

    private double rssWithNetworks = Double.NaN;
    private final List<Double> startTimes = new ArrayList<>();
    private final List<Double> restartRss = new ArrayList<>();
    private boolean noChurn = true;
    private double rssFull = Double.NaN;
    private final List<String> reconcileLines = new ArrayList<>();

    // ------------------------------------------------------------------ scale: RSS, restart

    private void scalePhase(NsnetDaemon nsnet, String hostNs) {
        int m = Math.min(scale.scaleSandboxes(), scale.scaleNetworks());
        log("creating %d sandboxes, one on each of networks n0..n%d", m, m - 1);
        for (int i = 0; i < m; i++) {
            int idx = i;
            samples.time("nsnet", "attach (one sandbox per network, 1000 networks)", i + 1, nsnet::cpuMs,
                    () -> nsnet.attachTo("m" + idx, "n" + idx, null));
        }
        rssFull = nsnet.rssMiB();
        log("nsnetd RSS with %d networks and %d sandboxes: %.1f MiB", scale.scaleNetworks(), m, rssFull);
        String before = iptablesSave(hostNs);
        for (int r = 0; r < scale.restarts(); r++) {
            nsnet.stop();
            double ms = nsnet.start();
            startTimes.add(ms);
            restartRss.add(nsnet.rssMiB());
            String after = iptablesSave(hostNs);
            boolean same = after.equals(before);
            noChurn &= same;
            log("restart %d: /v1/info after %.0f ms, RSS %.1f MiB, iptables-save %s", r + 1, ms, nsnet.rssMiB(),
                    same ? "identical" : "CHANGED");
            if (!same) {
                notes.add("restart " + (r + 1) + " changed iptables-save:\n\n```diff\n" + diff(before, after) + "```");
            }
        }
        for (String line : nsnet.logText().split("\n")) {
            if (line.contains("reconciled")) {
                reconcileLines.add(line.strip());
            }
        }
    }

    /** iptables-save of filter and nat, without the comment lines that carry timestamps. */
    private static String iptablesSave(String ns) {
        String s = Proc.run(List.of("nsenter", "--net=/run/netns/" + ns, "iptables-save"), null);
        StringBuilder b = new StringBuilder();
        for (String line : s.split("\n")) {
            if (!line.startsWith("#")) {
                b.append(line.replaceAll("\\[\\d+:\\d+\\]", "[0:0]")).append('\n');
            }
        }
        return b.toString();
    }

    private static String diff(String a, String b) {
        List<String> x = List.of(a.split("\n"));
        List<String> y = List.of(b.split("\n"));
        StringBuilder d = new StringBuilder();
        x.stream().filter(l -> !y.contains(l)).limit(20).forEach(l -> d.append("- ").append(l).append('\n'));
        y.stream().filter(l -> !x.contains(l)).limit(20).forEach(l -> d.append("+ ").append(l).append('\n'));
        if (d.length() == 0) {
            d.append("(same lines, different order)\n");
        }
        return d.toString();
    }

    // ------------------------------------------------------------------ CLI

    private void cliRuns(NsnetDaemon nsnet, String op) {
        List<String> cmd = cliCommand();
        if (cmd == null) {
            notes.add("`" + op + "`: no CLI found (neither bin/nsnet nor a CLI main class in the agent jar); "
                    + "timed GET /v1/networks through the API instead.");
            for (int i = 0; i < scale.cliRuns(); i++) {
                samples.time("nsnet API GET /v1/networks", "CLI " + op, i, nsnet::cpuMs, nsnet::listNetworks);
            }
            return;
        }
        List<String> argv = new ArrayList<>(cmd);
        argv.addAll(List.of("--socket", nsnet.socket().toString(), "network", "ls"));
        Proc.run(argv, null); // one untimed run: page cache, CDS archive creation if the launcher makes one
        for (int i = 0; i < scale.cliRuns(); i++) {
            samples.time("nsnet", "CLI " + op, i, () -> io.nsnet.bench.CpuClock.now()[1], () -> Proc.run(argv, null));
        }
    }

    private List<String> cliCommand() {
        Path launcher = repo.resolve("bin/nsnet");
        if (Files.isExecutable(launcher)) {
            return List.of(launcher.toString());
        }
        return null;
    }

    // ------------------------------------------------------------------ results

    private void writeResults(Instant started, String versions, String load0, String load1) throws Exception {
        int n = scale.sandboxes();
        int w = Math.max(1, n / 10);
        List<Report.Window> nWindows = List.of(new Report.Window("N 1–" + w, 1, w),
                new Report.Window("N " + (n / 2 - w / 2 + 1) + "–" + (n / 2 + w / 2), n / 2 - w / 2 + 1, n / 2 + w / 2),
                new Report.Window("N " + (n - w + 1) + "–" + n, n - w + 1, n),
                new Report.Window("all N 1–" + n, 1, n));
        List<Report.Window> kPoints = new ArrayList<>();
        for (int k : scale.kPoints()) {
            kPoints.add(new Report.Window("k=" + k, k, k));
        }
        int maxK = scale.maxK();
        int fw = Math.max(1, maxK / 10);
        List<Report.Window> fillWindows = new ArrayList<>(List.of(new Report.Window("k 0–" + (fw - 1), 0, fw - 1)));
        if (scale.dockerMaxK() < maxK && scale.dockerMaxK() >= fw) {
            fillWindows.add(new Report.Window("k " + (scale.dockerMaxK() - fw) + "–" + (scale.dockerMaxK() - 1),
                    scale.dockerMaxK() - fw, scale.dockerMaxK() - 1));
        }
        fillWindows.add(new Report.Window("k " + (maxK - fw) + "–" + (maxK - 1), maxK - fw, maxK - 1));
        fillWindows.add(new Report.Window("all k 0–" + (maxK - 1), 0, maxK - 1));

        String pFill = Charts.plot(samples, FILL, "k (existing user networks)", out);
        String pCreate = Charts.plot(samples, CREATE, "k (existing user networks)", out);
        String pDelete = Charts.plot(samples, DELETE, "k (existing user networks)", out);
        String pAttach = Charts.plot(samples, ATTACH, "N (sandboxes on the bridge after the attach)", out);
        String pDetach = Charts.plot(samples, DETACH, "N (sandboxes on the bridge before the detach)", out);
        String pPort = Charts.plot(samples, ATTACH_PORT, "N (sandboxes already on the bridge)", out);
        String pPortDel = Charts.plot(samples, DETACH_PORT, "N (sandboxes already on the bridge)", out);
        String pSpread = Charts.plot(samples, "attach (one sandbox per network, 1000 networks)", "sandboxes", out);

        // ---- targets
        Stats fsyncStats = Stats.of(Samples.wall(samples.of("fsync (4 KiB append + fdatasync)", FSYNC)));
        double fsync = fsyncStats.median();
        report.text(String.format(Locale.ROOT, "Durability floor: one 4 KiB append + fdatasync on the state directory's "
                + "filesystem takes **%s ms** median here (%s). Every nsnet mutation is acknowledged only after one such "
                + "fsync (the SQLite WAL commit), so no acknowledged operation can be faster than this on this disk.",
                Report.ms(fsync), "min " + Report.ms(fsyncStats.min()) + ", max " + Report.ms(fsyncStats.max())));
        List<Sample> fill = samples.of("nsnet", FILL);
        double createMedian = Stats.of(Samples.wall(fill)).median();
        report.target("network create ≤ 5 ms median through the API", String.format(Locale.ROOT,
                "%s ms median over all %d creates k=0…%d (checkpoints: %s)", Report.ms(createMedian), fill.size(), maxK - 1,
                checkpointMedians("nsnet", CREATE)), createMedian <= 5);
        int dk = Math.min(scale.dockerMaxK(), maxK) - 1;
        double nsnetToDk = report.median("nsnet", FILL, 0, dk);
        double dockerToDk = report.median("dockerd", FILL, 0, dk);
        report.target("network create ≥ 15× faster than dockerd", String.format(Locale.ROOT,
                "k=0…%d: dockerd %s ms / nsnet %s ms = %.1f× (checkpoints dockerd: %s)", dk, Report.ms(dockerToDk),
                Report.ms(nsnetToDk), dockerToDk / nsnetToDk, checkpointMedians("dockerd", CREATE)),
                dockerToDk / nsnetToDk >= 15);
        double first = report.median("nsnet", FILL, 0, Math.min(99, maxK - 1));
        double last = report.median("nsnet", FILL, Math.max(0, maxK - 100), maxK - 1);
        report.target("create flat to 1000 networks: median of last 100 ≤ 2× first 100", String.format(Locale.ROOT,
                "first 100 %s ms, last 100 %s ms: %.2f×%s", Report.ms(first), Report.ms(last), last / first,
                kernelGrowth(first, maxK)), last <= 2 * first);
        double attach = report.median("nsnet", ATTACH, 1, n);
        double cniA = report.median("CNI bridge", ATTACH, 1, n);
        double nvA = report.median("netavark", ATTACH, 1, n);
        String kernelFloor = "kernel floor (native layer in-process)";
        report.target("attach ≤ 2 ms median", String.format(Locale.ROOT, "%s ms (N=1…%d; first/last %d: %s / %s ms); "
                + "same daemon with its state on tmpfs: %s ms; the same kernel work in-process without a daemon: %s ms "
                + "(first/last %d: %s / %s ms); ip -batch floor %s ms; fsync floor %s ms; nsnetd CPU %s ms per attach over "
                + "the whole loop (its namespaces made ahead between requests included)",
                Report.ms(attach), n, w, Report.ms(report.median("nsnet", ATTACH, 1, w)),
                Report.ms(report.median("nsnet", ATTACH, n - w + 1, n)), Report.ms(report.median(TMPFS, ATTACH, 1, n)),
                Report.ms(report.median(kernelFloor, ATTACH, 1, n)), w, Report.ms(report.median(kernelFloor, ATTACH, 1, w)),
                Report.ms(report.median(kernelFloor, ATTACH, n - w + 1, n)), Report.ms(report.median(floorName(), ATTACH, 1, n)),
                Report.ms(fsync), Report.ms(attachLoopCpuPerOp)), attach <= 2);
        report.target("attach ≥ 10× faster than CNI bridge and netavark", String.format(Locale.ROOT,
                "CNI bridge %s ms = %.1f×; netavark %s ms = %.1f×", Report.ms(cniA), cniA / attach, Report.ms(nvA),
                nvA / attach), cniA / attach >= 10 && nvA / attach >= 10);
        double port = Stats.of(Samples.wall(samples.of("nsnet", ATTACH_PORT))).median();
        List<Sample> portFloor = samples.of(NativeAttachPeer.PORT_FLOOR, ATTACH_PORT);
        String portFloorText = portFloor.isEmpty() ? "" : String.format(Locale.ROOT, "; the same kernel work "
                + "in-process without a daemon (links, the port's nf_tables commit and the bind, one after the other): "
                + "%s ms", Report.ms(Stats.of(Samples.wall(portFloor)).median()));
        report.target("attach with a published port ≤ 4 ms median", String.format(Locale.ROOT,
                "%s ms (N=0: %s, N=%d: %s; state on tmpfs %s; CNI+portmap %s, netavark %s%s)", Report.ms(port),
                Report.ms(report.median("nsnet", ATTACH_PORT, 0, 0)), n, Report.ms(report.median("nsnet", ATTACH_PORT, n, n)),
                Report.ms(Stats.of(Samples.wall(samples.of(TMPFS, ATTACH_PORT))).median()),
                Report.ms(Stats.of(Samples.wall(samples.of("CNI bridge + portmap", ATTACH_PORT))).median()),
                Report.ms(Stats.of(Samples.wall(samples.of("netavark", ATTACH_PORT))).median()), portFloorText), port <= 4);
        double detach = report.median("nsnet", DETACH, 1, n);
        double linkDel = report.median(LINK_DEL, DETACH, 1, n);
        report.target("detach no slower than `ip link del`", String.format(Locale.ROOT,
                "nsnet %s ms (state on tmpfs %s) vs `ip link del` alone %s ms (the same kernel work in-process: veth "
                        + "removal answered on its RTM_DELLINK notification + netns delete %s; floor incl. netns del %s ms; "
                        + "CNI %s, netavark %s). `ip link del` waits for the kernel's acknowledgement, which comes after "
                        + "an rcu_barrier() (freeing memory only); nsnet answers once the kernel has unlisted the veth",
                Report.ms(detach), Report.ms(report.median(TMPFS, DETACH, 1, n)), Report.ms(linkDel),
                Report.ms(report.median(kernelFloor, DETACH, 1, n)), Report.ms(report.median(floorName(), DETACH, 1, n)),
                Report.ms(report.median("CNI bridge", DETACH, 1, n)), Report.ms(report.median("netavark", DETACH, 1, n))),
                detach <= linkDel);
        report.target("daemon RSS ≤ 150 MB with 1000 networks", String.format(Locale.ROOT,
                "%.1f MiB with %d networks; %.1f MiB with %d networks + %d sandboxes; after restart %s MiB (JVM flags: %s)",
                rssWithNetworks, maxK, rssFull, scale.scaleNetworks(), Math.min(scale.scaleSandboxes(), scale.scaleNetworks()),
                restartRss.stream().map(v -> String.format(Locale.ROOT, "%.1f", v)).toList(), daemonFlags()),
                rssWithNetworks <= 150 && rssFull <= 150);
        Stats st = Stats.of(startTimes.stream().mapToDouble(Double::doubleValue).toArray());
        report.target("start-up + reconcile of 1000 networks and 1000 sandboxes ≤ 5 s, no rule churn", String.format(Locale.ROOT,
                "process start → /v1/info: %s ms median of %d (min %s, max %s); iptables-save %s", Report.ms(st.median()),
                st.n(), Report.ms(st.min()), Report.ms(st.max()), noChurn ? "identical after every restart" : "CHANGED"),
                st.median() <= 5000 && noChurn);
        for (String op : samples.ops()) {
            if (op.startsWith("CLI ")) {
                String tool = samples.tools(op).get(0);
                double cli = Stats.of(Samples.wall(samples.of(tool, op))).median();
                report.target("`nsnet " + op.substring(4) + "` ≤ 200 ms median (issue 7)", String.format(Locale.ROOT,
                        "%s ms median (%s)", Report.ms(cli), tool), tool.equals("nsnet") ? (cli <= 200 ? "met" : "**missed**")
                        : "not measurable: no CLI yet");
            }
        }

        // ---- tables
        report.table(FSYNC, "fsync floor (what one durable commit waits for)", "run",
                List.of(new Report.Window("all", 0, 1000)), null);
        report.table(FILL, "Network create as k grows (every nsnet/floor create timed; dockerd to k=" + scale.dockerMaxK()
                + ")", "k", fillWindows, pFill);
        report.table(CREATE, "Network create at checkpoints (" + scale.samplesPerK() + " each)", "k", kPoints, pCreate);
        report.table(DELETE, "Network delete at checkpoints (" + scale.samplesPerK() + " each)", "k", kPoints, pDelete);
        report.table(ATTACH, "Attach: new sandbox (netns + veth + address + route) on one bridge", "N", nWindows, pAttach);
        report.table(DETACH, "Detach: sandbox removed (veth + netns)", "N", nWindows, pDetach);
        List<Report.Window> portW = List.of(new Report.Window("N=0", 0, 0), new Report.Window("N=" + n, n, n));
        report.table(ATTACH_PORT, "Attach with one published port (" + scale.portSamples() + " at each N)", "N", portW, pPort);
        report.table(DETACH_PORT, "Detach with one published port", "N", portW, pPortDel);
        report.table("attach (one sandbox per network, 1000 networks)", "nsnet only: sandboxes spread one per network "
                + "(the state the restart below starts from)", "sandboxes", List.of(new Report.Window("all", 0, 100_000)), pSpread);
        for (String op : samples.ops()) {
            if (op.startsWith("CLI ")) {
                report.table(op, "`nsnet " + op.substring(4) + "` round trip (process spawn to exit)", "run",
                        List.of(new Report.Window("all", 0, 1000)), null);
            }
        }
        report.text("### Daemon start-up + reconcile\n\n" + String.format(Locale.ROOT,
                "Restarts with %d networks and %d sandboxes (SIGTERM, then a new process): /v1/info answered after %s ms; "
                        + "RSS after each start %s MiB; iptables-save before vs after: %s.\n\nReconcile lines from the "
                        + "daemon's log:\n\n```\n%s\n```",
                scale.scaleNetworks(), Math.min(scale.scaleSandboxes(), scale.scaleNetworks()),
                startTimes.stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).toList(),
                restartRss.stream().map(v -> String.format(Locale.ROOT, "%.1f", v)).toList(),
                noChurn ? "identical" : "changed", String.join("\n", reconcileLines)));
        notes.forEach(report::text);
        samples.writeCsvs(out);

        String header = "# nsnet vs dockerd, CNI bridge(+portmap), netavark and the floor\n\n"
                + "Generated by `scripts/bench.sh` (`io.nsnet.peerbench.PeerBench`" + (scale == Scale.QUICK ? " --quick" : "")
                + ") on " + started + ", " + Runtime.getRuntime().availableProcessors() + " CPUs, load average before `"
                + load0 + "`, after `" + load1 + "`.\n\nVersions: " + versions + ".\n\n"
                + "How to read this: wall times on a shared, noisy machine; the **min** is the best uncontended estimate and "
                + "every comparison is a ratio from this same run, tools alternating operation by operation. CPU is "
                + "utime+stime(+children) from /proc in 10 ms ticks, so only the mean per op is given: nsnetd's and "
                + "dockerd's own process (their reaped iptables helpers included), the bench's reaped children for "
                + "process-based peers. Every timed operation starts " + scale.settleMs() + " ms after the one before "
                + "it, so that one tool's deferred kernel work (RCU callbacks, namespace cleanup, a daemon's work ahead "
                + "of its next request) is not timed as the next tool's. Scale: networks k ∈ " + scale.kPoints()
                + " with " + scale.samplesPerK()
                + " create+delete samples at each checkpoint, every nsnet and floor create from 0 to " + maxK
                + " timed while filling, dockerd filled and sampled only up to k=" + scale.dockerMaxK()
                + " (nothing extrapolated); sandboxes N = 1…" + n + ", every attach and detach timed for every tool. "
                + "Each tool has its own throwaway host namespace `nst-pb…`; dockerd runs inside one with `--bridge=none`. "
                + "Raw samples: one CSV per operation beside this file.";
        Files.writeString(out.resolve("RESULTS.md"), report.render(header));
        log("wrote %s", out.resolve("RESULTS.md"));
    }

    /** The daemon's JVM flags as started: the launcher's defaults plus any extra. */
    private String daemonFlags() {
        String launcher = "";
        try {
            for (String line : Files.readAllLines(repo.resolve("bin/nsnetd"))) {
                if (line.startsWith("defaults=")) {
                    launcher = line.substring("defaults=".length()).replace("\"", "").replace("(", "").replace(")", "")
                            + launcher;
                }
                if (line.startsWith("export MALLOC_ARENA_MAX")) {
                    launcher = launcher + ", MALLOC_ARENA_MAX=2";
                }
            }
        } catch (java.io.IOException e) {
            launcher = "(no bin/nsnetd)";
        }
        return "bin/nsnetd " + launcher + (daemonJvmOpts.isEmpty() ? "" : " + " + String.join(" ", daemonJvmOpts));
    }

    private static String floorName() {
        return "floor (ip -batch + iptables-restore)";
    }

    private String checkpointMedians(String tool, String op) {
        List<String> parts = new ArrayList<>();
        for (int k : scale.kPoints()) {
            double m = report.median(tool, op, k, k);
            if (!Double.isNaN(m)) {
                parts.add("k=" + k + ": " + Report.ms(m));
            }
        }
        return String.join(", ", parts);
    }
}
