package io.nsnet.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real nsnetd, started from the built jars as a separate process (never in the test JVM: a crash must be a
 * real kill -9 of a real process). Output goes to one log file across restarts, shown when a scenario fails.
 */
final class Daemon {
    private final List<String> baseArgs;
    private final Path log;
    private final Path socket;
    private Process process;

    Daemon(String hostNetns, String sandboxPrefix, Path workDir, DaemonOptions options) {
        this.socket = workDir.resolve("nsnetd.sock");
        this.log = workDir.resolve("nsnetd.log");
        List<String> args = new ArrayList<>(command());
        args.addAll(List.of("--host-netns", hostNetns, "--sandbox-prefix", sandboxPrefix,
                "--socket", socket.toString(), "--state-dir", workDir.resolve("state").toString()));
        args.addAll(options.flags());
        this.baseArgs = List.copyOf(args);
    }

    /**
     * {@code bin/nsnetd} when the launcher exists (it execs java, so signals reach the JVM), else java with the
     * agent's runtime class path as the launcher would run it.
     */
    static List<String> command() {
        Path launcher = Repo.root().resolve("bin/nsnetd");
        if (Files.isExecutable(launcher) && Files.isRegularFile(Repo.root().resolve("agent/target/agent-0.1.0-SNAPSHOT.jar"))) {
            return List.of(launcher.toString());
        }
        Path agent = Repo.root().resolve("agent/target");
        Path jar = agent.resolve("agent-0.1.0-SNAPSHOT.jar");
        if (!Files.isRegularFile(jar) || !Files.isDirectory(agent.resolve("lib"))) {
            throw new IllegalStateException(jar + " or its lib/ is missing: run mvn -DskipTests package (or install) first");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-cp", jar + ":" + agent.resolve("lib") + "/*", "io.nsnet.agent.daemon.Nsnetd");
    }

    Path socket() {
        return socket;
    }

    Path log() {
        return log;
    }

    boolean running() {
        return process != null && process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** Starts nsnetd and waits until {@code GET /v1/info} answers (or fails with the log). */
    void start() {
        if (running()) {
            throw new IllegalStateException("nsnetd already running");
        }
        try {
            Files.writeString(log, "---- start " + String.join(" ", baseArgs) + "\n", appendOpts());
            process = new ProcessBuilder(baseArgs).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (Api probe = new Api(socket)) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("nsnetd exited " + process.exitValue() + " during start:\n" + logText());
                }
                if (Files.exists(socket)) {
                    try {
                        if (probe.get("/v1/info").ok()) {
                            return;
                        }
                    } catch (Api.ApiUnavailable e) {
                        // not serving yet
                    }
                }
                sleep(50);
            }
        }
        throw new IllegalStateException("nsnetd did not answer /v1/info within 60 s:\n" + logText());
    }

    /** SIGTERM, as systemd stops it; waits for a clean exit and returns its code. */
    int stop() {
        if (!running()) {
            return process == null ? 0 : process.exitValue();
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException("nsnetd ignored SIGTERM for 30 s");
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGKILL: no shutdown hook, no flush, whatever was in flight is cut. */
    void kill() {
        if (running()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** {@code nsnetd --purge} with the same flags: removes everything this daemon made. */
    Cmd.Result purge() {
        if (running()) {
            throw new IllegalStateException("stop nsnetd before purging");
        }
        List<String> argv = new ArrayList<>(baseArgs);
        argv.add("--purge");
        Cmd.Result r = Cmd.run(argv, 120);
        try {
            Files.writeString(log, "---- purge rc=" + r.rc() + "\n" + r.out() + r.err(), appendOpts());
        } catch (IOException e) {
            // the log is a diagnostic; the purge result is what matters
        }
        return r;
    }

    String logText() {
        try {
            return Files.exists(log) ? Files.readString(log) : "(no log)";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private static java.nio.file.OpenOption[] appendOpts() {
        return new java.nio.file.OpenOption[] {java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND};
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
