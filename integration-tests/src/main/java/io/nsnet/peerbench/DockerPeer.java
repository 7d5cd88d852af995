package io.nsnet.peerbench;

import io.nsnet.agent.cli.UnixHttp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * dockerd 20.10 inside its own throwaway namespace ({@code ip netns exec NS dockerd …}) with every path of its
 * own in a temp dir, driven through its Engine API on its Unix socket (as nsnetd is, so neither pays for a CLI).
 * {@code --bridge=none}: no docker0 anywhere; {@code --iptables=true}: it programs its rules in that namespace,
 * 29 iptables processes per network create. CPU is dockerd's own plus its reaped iptables children.
 */
final class DockerPeer implements NetworkTool, AutoCloseable {
    private static final String API = "/v1.41";
    private final Path dir;
    private final String netns;
    private Process process;
    private UnixHttp api;

    DockerPeer(String netns, Path work) {
        this.netns = netns;
        this.dir = work.resolve("docker");
    }

    @Override
    public String name() {
        return "dockerd";
    }

    void start() {
        try {
            Files.createDirectories(dir);
            Path sock = dir.resolve("docker.sock");
            // Its own config file: nothing read from /etc/docker, and the trust key (which dockerd 20.10 would
            // otherwise write to /etc/docker/key.json) kept in the temp dir with everything else.
            Path config = dir.resolve("daemon.json");
            Files.writeString(config, "{\"deprecated-key-path\": \"" + dir.resolve("key.json") + "\"}\n");
            // ip netns exec gives dockerd a private mount namespace (slave of the host's) with a fresh /sys, which
            // has no cgroup mounts, and dockerd refuses to start without the devices cgroup. Re-mount the v1
            // hierarchies there (they stay private to that mount namespace), then exec dockerd in place of sh.
            String dockerd = String.join(" ", "exec dockerd", "--data-root", dir.resolve("data").toString(),
                    "--exec-root", dir.resolve("exec").toString(), "--pidfile", dir.resolve("dockerd.pid").toString(),
                    "--config-file", config.toString(), "-H", "unix://" + sock, "--bridge=none", "--iptables=true", "--storage-driver=vfs",
                    "--log-level=warn");
            String script = "mount -t tmpfs cgroup /sys/fs/cgroup && for c in cpu cpuacct cpuset memory devices freezer "
                    + "blkio pids; do mkdir -p /sys/fs/cgroup/$c && mount -t cgroup -o $c cgroup /sys/fs/cgroup/$c "
                    + "|| true; done; " + dockerd;
            process = new ProcessBuilder(List.of("ip", "netns", "exec", netns, "sh", "-c", script))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("dockerd.log").toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("dockerd exited " + process.exitValue() + ": "
                            + Files.readString(dir.resolve("dockerd.log")).strip());
                }
                if (Files.exists(sock)) {
                    if (api == null) {
                        api = new UnixHttp(sock, "nsnet-bench");
                    }
                    try {
                        if (api.get("/_ping").ok()) {
                            return;
                        }
                    } catch (IllegalStateException notYet) {
                        // not serving yet
                    }
                }
                Thread.sleep(50);
            }
            throw new IllegalStateException("dockerd did not answer /_ping within 90 s");
        } catch (IOException e) {
            throw new IllegalStateException("cannot start dockerd: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    String version() {
        String body = api.get(API + "/version").text();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"Version\":\"([^\"]+)\"").matcher(body);
        return m.find() ? m.group(1) : "?";
    }

    @Override
    public void createNetwork(int i) {
        String body = "{\"Name\":\"n" + i + "\",\"Driver\":\"bridge\",\"CheckDuplicate\":true,"
                + "\"IPAM\":{\"Config\":[{\"Subnet\":\"" + NetworkTool.subnet(i) + "\"}]}}";
        UnixHttp.expectOk("docker network create n" + i, api.post(API + "/networks/create", body));
    }

    @Override
    public void deleteNetwork(int i) {
        UnixHttp.expectOk("docker network rm n" + i, api.delete(API + "/networks/n" + i));
    }

    @Override
    public double cpuMs() {
        return ProcStat.cpuMs(process.pid());
    }

    /** Stops dockerd (and the containerd it started); its networks vanish with its namespace afterwards. */
    @Override
    public void close() {
        if (api != null) {
            api.close();
            api = null;
        }
        if (process == null) {
            return;
        }
        List<ProcessHandle> family = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            for (ProcessHandle h : family) {
                if (h.isAlive()) {
                    h.destroy();
                    h.onExit().get(10, TimeUnit.SECONDS);
                }
            }
        } catch (Exception e) {
            family.forEach(ProcessHandle::destroyForcibly);
        }
        process = null;
    }
}
