package io.nsnet.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time from /proc/self/stat: this process's own (utime+stime) and that of its reaped children
 * (cutime+cstime), so a benchmark can report CPU beside wall time for in-process work and for processes alike.
 */
public final class CpuClock {
    private static final double TICK_MS = 10.0; // USER_HZ is 100 on Linux

    private CpuClock() {
    }

    /** {self ms, children ms}. */
    public static double[] now() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields after "(comm)": state=0 ... utime=11 stime=12 cutime=13 cstime=14
            double self = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_MS;
            double children = (Long.parseLong(f[13]) + Long.parseLong(f[14])) * TICK_MS;
            return new double[] {self, children};
        } catch (IOException e) {
            return new double[] {Double.NaN, Double.NaN};
        }
    }
}
