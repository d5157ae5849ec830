package dev.herald.bench.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a process's CPU time and resident memory from Linux's /proc, so the generator can charge each
 * server under test for exactly what it used in a measurement window.
 *
 * <p>Stateless and thread-safe. CPU time has the kernel's tick resolution (1/{@link #CLOCK_TICKS} s), which
 * is why the measurement windows are seconds long.
 */
final class ProcStats {
    /** USER_HZ: 100 on every Linux this runs on ({@code getconf CLK_TCK}). */
    static final int CLOCK_TICKS = 100;

    private ProcStats() {
    }

    /** utime + stime of {@code pid} ("self" for this JVM), in seconds, including exited threads. */
    static double cpuSeconds(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            long utime = Long.parseLong(f[11]);   // field 14 of proc(5)
            long stime = Long.parseLong(f[12]);   // field 15
            return (utime + stime) / (double) CLOCK_TICKS;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** VmRSS of {@code pid} in kB, or -1 when the process is gone. */
    static long rssKb(String pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return -1;
    }

    /** Busy (non-idle, non-iowait) time of CPU {@code core} since boot, in seconds, from /proc/stat. */
    static double coreBusySeconds(int core) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                if (line.startsWith("cpu" + core + " ")) {
                    String[] f = line.trim().split("\\s+");
                    long busy = 0;
                    for (int i = 1; i < f.length && i <= 8; i++) {
                        if (i != 4 && i != 5) {   // skip idle and iowait
                            busy += Long.parseLong(f[i]);
                        }
                    }
                    return busy / (double) CLOCK_TICKS;
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return Double.NaN;
    }
}
