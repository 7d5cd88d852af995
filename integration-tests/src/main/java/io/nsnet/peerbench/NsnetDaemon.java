package io.nsnet.peerbench;

import io.nsnet.agent.cli.UnixHttp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * nsnetd as a child process of the bench, driven through its API on the Unix socket; both a
 * {@link NetworkTool} and an {@link AttachTool}. CPU is the daemon's own plus its reaped helpers'
 * (iptables-restore), read from /proc/PID/stat around each call.
 */
final class NsnetDaemon implements NetworkTool, AttachTool, AutoCloseable {
    static final String ATTACH_NETWORK = "attach";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String label;
    private final List<String> command;
    /** NSNETD_JAVA_OPTS for bin/nsnetd; null when java is run directly. */
    private final String javaOpts;
    private final Path socket;
    private final Path log;
    private Process process;
    private UnixHttp api;

    /**
     * @param repo        repository root (agent/target/… holds the daemon's class path)
     * @param jvmOptions  extra JVM flags, e.g. what bin/nsnetd passes, or -XX:StartFlightRecording
     */
    NsnetDaemon(Path repo, List<String> jvmOptions, String hostNs, Path work, String sandboxPrefix) {
        this("nsnet", repo, jvmOptions, hostNs, work, sandboxPrefix);
    }

    /** @param label the tool name in results, e.g. to tell a daemon whose state is on tmpfs from the real one */
    NsnetDaemon(String label, Path repo, List<String> jvmOptions, String hostNs, Path work, String sandboxPrefix) {
        this.label = label;
        this.socket = work.resolve("nsnetd.sock");
        this.log = work.resolve("nsnetd.log");
        List<String> cmd = new ArrayList<>();
        // Started inside its throwaway host namespace, as systemd starts nsnetd in the host's: its threads are then
        // already where its host-side calls go (a published port's socket, sysctls), which run on the calling
        // thread instead of being handed to a thread inside the namespace. --host-netns still names it, so that
        // nothing depends on where it was started. nsenter (util-linux) only enters the network namespace and
        // execs, so the PID stays the daemon's.
        // Required, not optional: started from outside, nsnetd would hand its host-side calls to another thread,
        // and the figures would silently describe a setup nobody runs.
        Path nsenter = Path.of("/usr/bin/nsenter");
        if (!Files.isExecutable(nsenter)) {
            throw new IllegalStateException(nsenter + " is missing: install util-linux (scripts/bench.sh does)");
        }
        cmd.addAll(List.of(nsenter.toString(), "--net=/run/netns/" + hostNs, "--"));
        Path launcher = repo.resolve("bin/nsnetd");
        if (Files.isExecutable(launcher)) {
            // The real launcher, so RSS and start-up are what users get; it execs java, so the PID is the JVM's.
            // Extra JVM options (JFR, another heap size) go through its NSNETD_JAVA_OPTS.
            cmd.add(launcher.toString());
            this.javaOpts = String.join(" ", jvmOptions);
        } else {
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("--enable-native-access=ALL-UNNAMED");
            cmd.addAll(jvmOptions);
            cmd.add("-cp");
            cmd.add(repo.resolve("agent/target/agent-0.1.0-SNAPSHOT.jar") + ":" + repo.resolve("agent/target/lib") + "/*");
            cmd.add("io.nsnet.agent.daemon.Nsnetd");
            this.javaOpts = null;
        }
        cmd.addAll(List.of("--host-netns", hostNs, "--socket", socket.toString(), "--state-dir",
                work.resolve("state").toString(), "--sandbox-prefix", sandboxPrefix, "--default-bridge", "nsbr0"));
        this.command = List.copyOf(cmd);
    }

    @Override
    public String name() {
        return label;
    }

    Path socket() {
        return socket;
    }

    long pid() {
        return process.pid();
    }

    /** Starts the daemon and returns ms from process start until GET /v1/info answers 200. */
    double start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("nsnetd already running");
        }
        try {
            long t0 = System.nanoTime();
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            if (javaOpts != null) {
                pb.environment().put("NSNETD_JAVA_OPTS", javaOpts);
            }
            process = pb.start();
            long deadline = t0 + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("nsnetd exited " + process.exitValue() + " at start; see " + log);
                }
                if (Files.exists(socket)) {
                    if (api == null) {
                        api = new UnixHttp(socket, "nsnet-bench");
                    }
                    try {
                        if (api.get("/v1/info").ok()) {
                            return (System.nanoTime() - t0) / 1e6;
                        }
                    } catch (IllegalStateException notYet) {
                        // socket file present but not accepting yet (or a stale one from the last run)
                    }
                }
                Thread.sleep(5);
            }
            throw new IllegalStateException("nsnetd did not answer /v1/info within 120 s; see " + log);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start nsnetd: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGTERM, as systemd would: networks and sandboxes stay in place. */
    void stop() {
        if (process == null) {
            return;
        }
        if (api != null) {
            api.close();
            api = null;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    double rssMiB() {
        return ProcStat.rssMiB(pid());
    }

    String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public double cpuMs() {
        return ProcStat.cpuMs(pid());
    }

    void createAttachNetwork() {
        UnixHttp.expectOk("create network " + ATTACH_NETWORK, api.post("/v1/networks",
                json("name", ATTACH_NETWORK, "subnet", "10.0.0.0/16")));
    }

    @Override
    public void createNetwork(int i) {
        UnixHttp.expectOk("create network n" + i, api.post("/v1/networks", json("name", "n" + i, "subnet",
                NetworkTool.subnet(i))));
    }

    @Override
    public void deleteNetwork(int i) {
        UnixHttp.expectOk("delete network n" + i, api.delete("/v1/networks/n" + i));
    }

    @Override
    public void attach(int i, boolean port) {
        attachTo("s" + i, ATTACH_NETWORK, port ? AttachTool.hostPort(i) + ":80" : null);
    }

    /** A sandbox on a given network, optionally with one published port. */
    void attachTo(String sandbox, String network, String portSpec) {
        java.util.Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("name", sandbox);
        body.put("networks", List.of(network));
        if (portSpec != null) {
            body.put("ports", List.of(portSpec));
        }
        UnixHttp.expectOk("create sandbox " + sandbox, api.post("/v1/sandboxes", write(body)));
    }

    @Override
    public void detach(int i) {
        deleteSandbox("s" + i);
    }

    void deleteSandbox(String name) {
        UnixHttp.expectOk("delete sandbox " + name, api.delete("/v1/sandboxes/" + name));
    }

    /** One GET /v1/networks (the API side of `nsnet network ls`); returns the body length. */
    int listNetworks() {
        return UnixHttp.expectOk("list networks", api.get("/v1/networks")).length();
    }

    private static String json(String... kv) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return write(m);
    }

    private static String write(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SIGTERM first (so a JFR recording given in the JVM options is written), then SIGKILL. */
    @Override
    public void close() {
        stop();
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The firewall backend the running daemon reports in /v1/info (e.g. "nftables"), for the report. */
    String firewallBackend() {
        try {
            return JSON.readTree(api.get("/v1/info").text()).path("firewallBackend").asText("unknown");
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
