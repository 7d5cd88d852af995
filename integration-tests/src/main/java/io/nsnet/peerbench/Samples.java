package io.nsnet.peerbench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;

/** Every timed operation of the run, in order, with the helper that times one. */
final class Samples {
    private final List<Sample> all = new ArrayList<>();
    private final long settleMs;

    /**
     * Every timed operation starts {@code settleMs} after whatever ran before it. Tools alternate operation by
     * operation, and much of a tool's kernel work finishes after its call returns: RCU callbacks, namespace
     * cleanup, kworkers, a daemon's own work ahead of the next request. On 2 CPUs that work otherwise runs inside
     * the next tool's timing, and it grows with N for the peers that keep more state (measured: nsnet's attach
     * grew 3.3 → 5.2 ms over N=1…500 right behind the peers, 3.4 → 4.0 ms with a 20 ms pause, and the same daemon
     * placed second, right behind nsnetd's own work, measured 5.0 ms instead of 3.2).
     */
    Samples(long settleMs) {
        this.settleMs = settleMs;
    }

    /** Times {@code work} for tool's operation at scale x; CPU from the tool's own clock around it. */
    Sample time(String tool, String op, int x, java.util.function.DoubleSupplier cpu, Runnable work) {
        settle();
        double c0 = cpu.getAsDouble();
        long t0 = System.nanoTime();
        work.run();
        long t1 = System.nanoTime();
        double c1 = cpu.getAsDouble();
        Sample s = new Sample(tool, op, x, (t1 - t0) / 1e6, c1 - c0);
        all.add(s);
        return s;
    }

    /** The pause every timed operation starts with, for work timed by other means (see {@link #add}). */
    void settle() {
        if (settleMs > 0) {
            try {
                Thread.sleep(settleMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    void add(Sample s) {
        all.add(s);
    }

    List<Sample> of(String tool, String op, int lo, int hi) {
        return all.stream().filter(s -> s.tool().equals(tool) && s.op().equals(op) && s.x() >= lo && s.x() <= hi).toList();
    }

    List<Sample> of(String tool, String op) {
        return of(tool, op, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    List<String> tools(String op) {
        LinkedHashSet<String> t = new LinkedHashSet<>();
        all.stream().filter(s -> s.op().equals(op)).forEach(s -> t.add(s.tool()));
        return new ArrayList<>(t);
    }

    List<String> ops() {
        LinkedHashSet<String> t = new LinkedHashSet<>();
        all.forEach(s -> t.add(s.op()));
        return new ArrayList<>(t);
    }

    static double[] wall(List<Sample> s) {
        return s.stream().mapToDouble(Sample::wallMs).toArray();
    }

    /** Mean CPU per op: the clocks tick in 10 ms, so only a mean over many ops says anything. */
    static double meanCpu(List<Sample> s) {
        return s.stream().mapToDouble(Sample::cpuMs).filter(d -> !Double.isNaN(d)).average().orElse(Double.NaN);
    }

    /** One CSV per operation: tool,x,wall_ms,cpu_ms. */
    void writeCsvs(Path dir) throws IOException {
        for (String op : ops()) {
            StringBuilder b = new StringBuilder("tool,x,wall_ms,cpu_ms\n");
            for (Sample s : all) {
                if (s.op().equals(op)) {
                    b.append('"').append(s.tool()).append("\",").append(s.x()).append(',')
                            .append(String.format(Locale.ROOT, "%.3f,%.1f", s.wallMs(), s.cpuMs())).append('\n');
                }
            }
            Files.writeString(dir.resolve(fileName(op) + ".csv"), b.toString());
        }
    }

    static String fileName(String op) {
        return op.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }

    static void repeat(int n, IntConsumer body) {
        for (int i = 0; i < n; i++) {
            body.accept(i);
        }
    }
}
