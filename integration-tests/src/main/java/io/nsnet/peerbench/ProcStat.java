package io.nsnet.peerbench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU and memory of another process, from /proc/PID/stat and /proc/PID/status. */
final class ProcStat {
    private static final double TICK_MS = 10.0; // USER_HZ is 100 on Linux

    private ProcStat() {
    }

    /**
     * utime+stime+cutime+cstime of {@code pid} in ms: a daemon's own CPU plus that of the helper processes it
     * ran and reaped (iptables for dockerd, iptables-restore for nsnetd).
     */
    static double cpuMs(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]))
                    * TICK_MS;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** VmRSS in MiB, NaN if the process is gone. */
    static double rssMiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return Double.NaN;
    }
}
