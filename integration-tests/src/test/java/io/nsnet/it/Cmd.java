package io.nsnet.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external program from an argument array (never through a shell, so no quoting or injection) and
 * captures its output. iproute2 and iptables-save are the tests' independent observers and fixture makers.
 */
final class Cmd {
    private Cmd() {
    }

    /** What a finished program left: exit code and both streams. */
    record Result(List<String> argv, int rc, String out, String err) {
        boolean ok() {
            return rc == 0;
        }

        /** Fails with the command and its stderr if it did not exit 0. */
        Result check() {
            if (rc != 0) {
                throw new IllegalStateException(String.join(" ", argv) + " exited " + rc + ": " + err.strip() + " " + out.strip());
            }
            return this;
        }
    }

    static Result run(String... argv) {
        return run(List.of(argv), 60);
    }

    static Result run(List<String> argv, long timeoutSeconds) {
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        try {
            Process p = pb.start();
            // Both pipes drained concurrently: a chatty stderr must not block a program writing stdout.
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor();
                return new Result(argv, -1, out.join(), err.join() + "\n(timed out after " + timeoutSeconds + " s)");
            }
            return new Result(argv, p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + argv, e);
        }
    }

    /** {@code prefix} followed by {@code rest}: e.g. {@code ip netns exec NS} + a command. */
    static List<String> concat(List<String> prefix, String... rest) {
        List<String> all = new ArrayList<>(prefix);
        all.addAll(Arrays.asList(rest));
        return all;
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
