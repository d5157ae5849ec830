package dev.herald.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counts and times the {@code fsync}/{@code fdatasync} calls of the whole machine with {@code perf trace}
 * (kernel tracepoints: cheap, unlike ptrace-based strace), keeps those that started inside the measured
 * window ({@code perf trace -T} stamps events with CLOCK_MONOTONIC, the clock of {@link System#nanoTime()}),
 * and splits them into the server's (by thread id) and PostgreSQL's (by command name). One commit is one such
 * call (SQLite's WAL with {@code synchronous=FULL}; PostgreSQL's WAL flush), so calls per second = commits per
 * second and messages ÷ calls = the group size. Needs root (or a low perf_event_paranoid) and {@code perf}.
 */
public final class FsyncTrace {
    // 2111296.986 ( 2.493 ms): herald-store-1-/24158 fsync(fd: 1) = 0
    private static final Pattern EVENT = Pattern.compile("^\\s*([\\d.]+) \\(\\s*([\\d.]+) ms\\): (.*)/(\\d+) f(?:data)?sync\\(");

    private final Process perf;
    private final Path output;

    private FsyncTrace(Process perf, Path output) {
        this.perf = perf;
        this.output = output;
    }

    /** Starts tracing; give perf a moment (the ramp) before the window. */
    public static FsyncTrace start(Path output) throws IOException {
        Process p = new ProcessBuilder(List.of("perf", "trace", "-T", "-a", "-e", "fsync,fdatasync", "-o", output.toString()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return new FsyncTrace(p, output);
    }

    /** What was seen on one side: calls, total and longest time in them. */
    public record Calls(long calls, double totalMs, double maxMs) {
        static final Calls NONE = new Calls(0, 0, 0);

        Calls plus(double ms) {
            return new Calls(calls + 1, totalMs + ms, Math.max(maxMs, ms));
        }

        public String describe(double seconds, long messages) {
            if (calls == 0) {
                return "no fsync";
            }
            return String.format(Locale.ROOT, "%d fsyncs (%.0f/s, %.0f msg each), mean %.2f ms, max %.1f ms, in fsync %.0f%% of the window",
                    calls, calls / seconds, (double) messages / calls, totalMs / calls, maxMs, 100 * totalMs / 1000 / seconds);
        }
    }

    public record Summary(Calls server, Calls postgres) { }

    /** Stops perf (SIGINT) and counts the calls that started in {@code [fromNanos, toNanos)} of {@link System#nanoTime()}. */
    public Summary stop(long serverPid, long fromNanos, long toNanos) throws IOException, InterruptedException {
        java.util.Set<Long> serverThreads = threadsOf(serverPid);
        new ProcessBuilder("kill", "-INT", Long.toString(perf.pid())).start().waitFor(10, TimeUnit.SECONDS);
        if (!perf.waitFor(20, TimeUnit.SECONDS)) {
            perf.destroyForcibly();
        }
        if (!Files.exists(output)) {
            return new Summary(Calls.NONE, Calls.NONE);
        }
        return parse(Files.readAllLines(output), serverThreads, fromNanos / 1e6, toNanos / 1e6);
    }

    static Summary parse(List<String> lines, java.util.Set<Long> serverThreads, double fromMs, double toMs) {
        Calls server = Calls.NONE;
        Calls postgres = Calls.NONE;
        for (String line : lines) {
            Matcher m = EVENT.matcher(line);
            if (!m.find()) {
                continue;
            }
            double at = Double.parseDouble(m.group(1));
            if (at < fromMs || at >= toMs) {
                continue;
            }
            double ms = Double.parseDouble(m.group(2));
            if (ms > 600_000) {
                continue; // perf prints a wrapped-around duration when it missed the call's start
            }
            if (serverThreads.contains(Long.parseLong(m.group(4)))) {
                server = server.plus(ms);
            } else if (m.group(3).startsWith("postgres")) {
                postgres = postgres.plus(ms);
            }
        }
        return new Summary(server, postgres);
    }

    private static java.util.Set<Long> threadsOf(long pid) {
        java.util.Set<Long> ids = new java.util.HashSet<>();
        ids.add(pid);
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            tasks.forEach(t -> ids.add(Long.parseLong(t.getFileName().toString())));
        } catch (IOException | NumberFormatException e) {
            // the process is gone: only its pid is recognised
        }
        return ids;
    }
}
