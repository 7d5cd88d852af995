package io.nsnet.peerbench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Runs one external program to completion, stdin given, stdout captured, and fails loudly on a non-zero exit.
 * The bench JVM reaps every child itself, so their CPU shows up in its cutime/cstime ({@code CpuClock}).
 */
final class Proc {
    private Proc() {
    }

    record Result(int exit, String stdout, String stderr) {
    }

    static String run(List<String> argv, String stdin) {
        return run(argv, Map.of(), stdin);
    }

    static String run(List<String> argv, Map<String, String> env, String stdin) {
        Result r = tryRun(argv, env, stdin);
        if (r.exit() != 0) {
            throw new IllegalStateException(String.join(" ", argv) + " exited " + r.exit() + ": "
                    + (r.stderr() + r.stdout()).strip());
        }
        return r.stdout();
    }

    static Result tryRun(List<String> argv, Map<String, String> env, String stdin) {
        try {
            ProcessBuilder pb = new ProcessBuilder(argv);
            pb.environment().putAll(env);
            Process p = pb.start();
            // stderr is drained on its own thread so a chatty child cannot block on a full pipe.
            StringBuilder err = new StringBuilder();
            Thread drain = new Thread(() -> err.append(readAll(p.getErrorStream())), "stderr-drain");
            drain.start();
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            String out = readAll(p.getInputStream());
            int exit = p.waitFor();
            drain.join();
            return new Result(exit, out, err.toString());
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + argv.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + argv.get(0), e);
        }
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
