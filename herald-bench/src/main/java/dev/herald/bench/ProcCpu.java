package dev.herald.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * CPU time of processes as Linux accounts it: {@code utime + stime} from {@code /proc/<pid>/stat}
 * (fields 14 and 15, all threads of the process), in clock ticks converted with {@code getconf CLK_TCK}.
 * Resolution is one tick (10 ms at 100 Hz), plenty for windows of seconds. Linux only.
 */
public final class ProcCpu {
    private final double ticksPerSecond;

    public ProcCpu() {
        this.ticksPerSecond = clockTicks();
    }

    public double ticksPerSecond() {
        return ticksPerSecond;
    }

    /** CPU seconds (user + system) the process has used so far, or NaN when it is gone. */
    public double seconds(long pid) {
        long ticks = ticks(Path.of("/proc", Long.toString(pid), "stat"), null);
        return ticks < 0 ? Double.NaN : ticks / ticksPerSecond;
    }

    /**
     * CPU seconds used so far by each thread of the process, summed per thread name with digits folded
     * ({@code herald-store-1-} and {@code herald-store-2-} are both {@code herald-store-N-}). Linux keeps 15
     * characters of a name: {@code vert.x-eventloo}, {@code herald-store-N-} (writer, completions and readers
     * alike: tell them apart with JFR), {@code C2 CompilerThre}, {@code VM Thread} (the Serial GC runs there).
     * Threads that ended since the last reading take their time with them.
     */
    public java.util.Map<String, Double> secondsPerThread(long pid) {
        java.util.Map<String, Double> out = new java.util.TreeMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                String line;
                try {
                    line = Files.readString(task.resolve("stat"));
                } catch (IOException e) {
                    continue; // the thread ended
                }
                long ticks = parseTicks(line, null);
                String name = line.substring(line.indexOf('(') + 1, line.lastIndexOf(')')).replaceAll("\\d+", "N");
                out.merge(name, ticks / ticksPerSecond, Double::sum);
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    /**
     * CPU ticks used so far by each live user-space process (kernel threads, whose flags carry PF_KTHREAD, are
     * left out: their work — journal commits, block I/O — is mostly done for the system under test).
     */
    public static java.util.Map<Long, Long> userProcessTicks() {
        java.util.Map<Long, Long> out = new java.util.HashMap<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
            for (Path p : procs) {
                String line;
                try {
                    line = Files.readString(p.resolve("stat"));
                } catch (IOException e) {
                    continue; // exited
                }
                int close = line.lastIndexOf(')');
                String[] f = line.substring(close + 2).trim().split(" ");
                long flags = Long.parseLong(f[9 - 3]);
                if ((flags & 0x00200000L) != 0) {
                    continue; // PF_KTHREAD
                }
                out.put(Long.parseLong(p.getFileName().toString()), Long.parseLong(f[14 - 3]) + Long.parseLong(f[15 - 3]));
            }
        } catch (IOException | NumberFormatException | ArrayIndexOutOfBoundsException e) {
            return out;
        }
        return out;
    }

    /** The command name of a process, or empty. */
    public static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Bytes the process has written so far: {@code wchar} (passed to write() and friends) and
     * {@code write_bytes} (sent to the block layer, i.e. what reached the disk or its cache for writeback)
     * from {@code /proc/<pid>/io}; {@code {-1, -1}} when unreadable.
     */
    public static long[] writtenBytes(long pid) {
        long wchar = -1;
        long disk = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "io"))) {
                if (line.startsWith("wchar: ")) {
                    wchar = Long.parseLong(line.substring(7).trim());
                } else if (line.startsWith("write_bytes: ")) {
                    disk = Long.parseLong(line.substring(13).trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not readable: reported as unknown
        }
        return new long[] {wchar, disk};
    }

    /**
     * CPU seconds used so far by every live process whose command name is {@code comm} (e.g. all
     * PostgreSQL backends). Processes that exit between two readings take their time with them, so
     * use it over windows where the set of processes is stable.
     */
    public double secondsOfAll(String comm) {
        long total = 0;
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
            for (Path p : procs) {
                long t = ticks(p.resolve("stat"), comm);
                if (t > 0) {
                    total += t;
                }
            }
        } catch (IOException e) {
            return Double.NaN;
        }
        return total / ticksPerSecond;
    }

    /** utime + stime of one stat file; -1 when unreadable or (with {@code comm}) when the name differs. */
    static long ticks(Path stat, String comm) {
        String line;
        try {
            line = Files.readString(stat);
        } catch (IOException e) {
            return -1;
        }
        return parseTicks(line, comm);
    }

    /** Package-visible for the test: the command name sits in parentheses and may itself contain spaces or ')'. */
    static long parseTicks(String statLine, String comm) {
        int open = statLine.indexOf('(');
        int close = statLine.lastIndexOf(')');
        if (open < 0 || close < open) {
            return -1;
        }
        if (comm != null && !statLine.substring(open + 1, close).equals(comm)) {
            return -1;
        }
        // after ") ": state(3) ppid(4) pgrp(5) session(6) tty_nr(7) tpgid(8) flags(9) minflt(10) cminflt(11)
        // majflt(12) cmajflt(13) utime(14) stime(15)
        String[] f = statLine.substring(close + 2).trim().split(" ");
        return Long.parseLong(f[14 - 3]) + Long.parseLong(f[15 - 3]);
    }

    private static double clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return Double.parseDouble(out);
            }
        } catch (IOException | NumberFormatException e) {
            // fall through to the Linux default
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }
}
