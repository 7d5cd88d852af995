package io.nsnet.agent.firewall;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs the program with {@link ProcessBuilder} (an argument vector, no shell) in the calling thread's network
 * namespace. {@link NetnsIptablesExec} runs it in another namespace.
 */
public final class ProcessIptablesExec implements IptablesExec {

    private final long timeoutMillis;

    public ProcessIptablesExec() {
        this(60_000);
    }

    public ProcessIptablesExec(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public Result run(List<String> argv, String stdin) throws IOException {
        Process p = new ProcessBuilder(argv).redirectInput(stdin == null ? ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))
                : ProcessBuilder.Redirect.PIPE).start();
        // Drain stderr on a thread of its own (not a shared pool that may be busy) so neither pipe can fill up
        // and block the child.
        CompletableFuture<String> err = new CompletableFuture<>();
        Thread drain = new Thread(() -> err.complete(readAll(p.getErrorStream())), "iptables-stderr");
        drain.setDaemon(true);
        drain.start();
        if (stdin != null) {
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // The program exited early; its exit code and stderr explain why.
            }
        }
        String out = readAll(p.getInputStream());
        try {
            if (!p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(argv.get(0) + " did not finish within " + timeoutMillis + " ms");
            }
            return new Result(p.exitValue(), out, err.get());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + argv.get(0), e);
        } catch (ExecutionException e) {
            throw new IOException("reading stderr of " + argv.get(0), e.getCause());
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
