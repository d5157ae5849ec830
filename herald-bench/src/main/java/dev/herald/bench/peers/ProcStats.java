package dev.herald.bench.peers;

import dev.herald.bench.ProcCpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a process's CPU time and resident memory from Linux's /proc, so the generator can charge each
 * server under test for exactly what it used in a measurement window.
 *
 * <p>Stateless and thread-safe. CPU time has the kernel's tick resolution (1/USER_HZ s, 10 ms), which
 * is why the measurement windows are seconds long.
 */
public final class ProcStats {
    /** Process CPU time, shared with the durable benchmark (it parses /proc/<pid>/stat and asks getconf for USER_HZ). */
    private static final ProcCpu CPU = new ProcCpu();

    private ProcStats() {
    }

    /** utime + stime of {@code pid} ("self" for this JVM), in seconds, including exited threads; NaN when it is gone. */
    static double cpuSeconds(String pid) {
        try {
            return CPU.seconds("self".equals(pid) ? ProcessHandle.current().pid() : Long.parseLong(pid));
        } catch (RuntimeException e) {
            return Double.NaN; // not a pid, or a stat line that could not be read
        }
    }

    /** VmRSS of {@code pid} in kB, or -1 when the process is gone. */
    public static long rssKb(String pid) {
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
                    return busy / CPU.ticksPerSecond();
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return Double.NaN;
    }
}
