package dev.herald.bench;

import com.sun.management.OperatingSystemMXBean;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Durable publishing throughput and accept latency of the packaged server, measured from outside:
 * for each store and each repetition a fresh {@code herald.jar} process (pinned with {@code taskset})
 * is warmed up, then every scenario is measured in turn (ramp, window, drain). Stores alternate within
 * each repetition. Results go to {@code runs.csv} (one line per window, written as it is measured) and
 * {@code summary.md} (medians) in a new directory under {@code --out}. See {@code bench/README.md}.
 *
 * <p>This process is the load generator; start it on the other CPU ({@code bench/run-durable} does:
 * {@code taskset -c 1}). A window is invalid when any publish failed or the generator used more than
 * 85 % of its core.
 */
@Command(name = "durable-publish-bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Open-loop (fixed rate) and closed-loop (max) publishing against herald.jar as a separate process.")
public final class DurablePublishBench implements Callable<Integer> {

    @Option(names = "--jar", description = "The server under test. Default: ${DEFAULT-VALUE}.")
    Path jar = Path.of("herald-server/target/herald.jar");

    @Option(names = "--java", description = "java for the server. Default: this JVM's.")
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");

    @Option(names = "--targets", split = ",", description = "Stores, alternated in this order: sqlite, postgresql, memory, nondurable (persist:false); "
            + "sqlite-normal (synchronous=normal: no fsync per commit, for diagnosis). Default: ${DEFAULT-VALUE}.")
    List<String> targets = List.of("sqlite", "postgresql", "nondurable", "memory");

    @Option(names = "--scenarios", description = "single@<msg/s>, single@max, batch@<msg/s>, batch@max, in order. Default: ${DEFAULT-VALUE}.")
    String scenarios = "single@2000,single@5000,single@10000,single@max,batch@20000,batch@50000,batch@max";

    @Option(names = "--runs", description = "Repetitions of every (store, scenario); the summary takes medians. Default: ${DEFAULT-VALUE}.")
    int runs = 3;

    @Option(names = "--warmup", description = "Seconds of unrecorded closed-loop load after each server start (single, batch, single, batch). Default: ${DEFAULT-VALUE}.")
    int warmupSeconds = 8;

    @Option(names = "--ramp", description = "Seconds of each scenario's load before its window. Default: ${DEFAULT-VALUE}.")
    int rampSeconds = 2;

    @Option(names = "--duration", description = "Seconds in each measured window. Default: ${DEFAULT-VALUE}.")
    int durationSeconds = 8;

    @Option(names = "--drain", description = "Seconds after a window by which every request must be answered. Default: ${DEFAULT-VALUE}.")
    int drainSeconds = 30;

    @Option(names = "--connections", description = "HTTP/1.1 keep-alive connections. Default: ${DEFAULT-VALUE}.")
    int connections = 128;

    @Option(names = "--single-in-flight", description = "Closed loop: single-message requests in flight. Default: ${DEFAULT-VALUE}.")
    int singleInFlight = 128;

    @Option(names = "--batch-in-flight", description = "Closed loop: batch requests in flight. Default: ${DEFAULT-VALUE}.")
    int batchInFlight = 16;

    @Option(names = "--batch-size", description = "Messages per batch request. Default: ${DEFAULT-VALUE}.")
    int batchSize = 100;

    @Option(names = "--users", description = "Recipients u0..u<N-1>, round robin, all offline. Default: ${DEFAULT-VALUE}.")
    int users = 10_000;

    @Option(names = "--payload", description = "Bytes of data per message (a JSON string of that many ASCII characters). Default: ${DEFAULT-VALUE}.")
    int payloadBytes = 100;

    @Option(names = "--server-cpus", description = "taskset CPU list for the server; empty: not pinned. Default: ${DEFAULT-VALUE}.")
    String serverCpus = "0";

    @Option(names = "--server-jvm-opts", description = "JVM options of the server (space-separated). Default: ${DEFAULT-VALUE}.")
    String serverJvmOptions = "-XX:ActiveProcessorCount=1 -Xms4g -Xmx4g";

    @Option(names = "--jfr", description = "Profile the server during each window and its ramp (jcmd JFR.start/stop: settings=profile plus "
            + "CPU-time samples every 1 ms, JDK 25+) into <run dir>/<scenario>.jfr; analyse with bench/jfr-breakdown.")
    boolean jfr;

    @Option(names = "--trace-fsync", description = "Count and time fsync/fdatasync calls (commits) of the server and PostgreSQL in every window "
            + "with perf trace (root); printed after each window and written to fsync.csv.")
    boolean traceFsync;

    @Option(names = "--postgres", description = "PostgreSQL for the postgresql target; each server start gets a fresh schema in it. Default: ${DEFAULT-VALUE}.")
    String postgres = "postgresql://postgres@127.0.0.1:5432/test";

    @Option(names = "--pg-schema", description = "Schema created by the store and dropped after each server. Default: ${DEFAULT-VALUE}.")
    String pgSchema = "herald_bench";

    @Option(names = "--out", description = "Results go to a new time-stamped directory here. Default: ${DEFAULT-VALUE}.")
    Path out = Path.of("bench/results");

    @Option(names = "--results-dir", description = "Exactly this directory for the results (instead of a new one under --out).")
    Path resultsDir;

    @Option(names = "--report", paramLabel = "DIR", description = "Measure nothing: rewrite DIR/summary.md from DIR/runs.csv.")
    Path reportOnly;

    @Option(names = "--headlines", paramLabel = "FILE", description = "Append the run's headline figures (Headlines) here. Default: "
            + "bench/results/headlines.csv after a measured run; with --report only when given.")
    Path headlines;

    @Option(names = "--keep-data", description = "Keep each server's data directory (SQLite files) after its run.")
    boolean keepData;

    private final ProcCpu cpu = new ProcCpu();
    private final OperatingSystemMXBean self = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final List<RunResult> results = new ArrayList<>();
    private final Map<Scenario.Kind, Integer> saturatedAt = new EnumMap<>(Scenario.Kind.class);
    private Path outDir;

    public static void main(String[] args) {
        System.exit(new CommandLine(new DurablePublishBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (reportOnly != null) {
            List<String> lines = Files.readAllLines(reportOnly.resolve("runs.csv"));
            boolean neighbours = lines.get(0).contains("neighbour_cpu_pct");
            boolean bytes = lines.get(0).contains("disk_bytes_per_msg");
            List<RunResult> runs = lines.stream().skip(1).filter(l -> !l.isBlank()).map(l -> RunResult.parseCsv(l, neighbours, bytes)).toList();
            String summary = new Report(runs).markdown();
            Files.writeString(reportOnly.resolve("summary.md"), summary);
            System.out.println(summary);
            if (headlines != null) {
                Headlines.append(headlines, "run-durable", new Report(runs).headlines());
            }
            return 0;
        }
        if (!Files.isRegularFile(jar)) {
            System.err.println("no server jar at " + jar + ": build it first (./mvnw -q -B -ntp -DskipTests package)");
            return 2;
        }
        List<Scenario> plan = Scenario.parseList(scenarios);
        List<Target> stores = targets.stream().map(t -> Target.of(t, postgres, pgSchema)).toList();
        outDir = resultsDir != null ? resultsDir : out.resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(outDir);
        Files.writeString(outDir.resolve("runs.csv"), RunResult.CSV_HEADER + "\n");
        log("results: " + outDir);
        log("generator: pid " + ProcessHandle.current().pid() + ", Java " + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors()
                + " CPU(s) visible; server: " + java + " " + serverJvmOptions + " on CPUs '" + serverCpus + "'");
        log("scenarios " + plan + ", " + runs + " runs, warmup " + warmupSeconds + " s, ramp " + rampSeconds + " s, window " + durationSeconds
                + " s, " + connections + " connections, in flight " + singleInFlight + " single / " + batchInFlight + " batch × " + batchSize);
        for (int run = 1; run <= runs; run++) {
            for (int i = 0; i < stores.size(); i++) {
                // alternate: each repetition starts one store further, so no store always runs first or last
                session(stores.get((i + run - 1) % stores.size()), run, plan);
            }
        }
        String summary = new Report(results).markdown();
        Files.writeString(outDir.resolve("summary.md"), summary);
        System.out.println();
        System.out.println(summary);
        Path headlineFile = headlines != null ? headlines : Headlines.DEFAULT_FILE;
        Headlines.append(headlineFile, "run-durable", new Report(results).headlines());
        log("wrote " + outDir.resolve("runs.csv") + " and " + outDir.resolve("summary.md") + ", appended to " + headlineFile);
        return 0;
    }

    /** One server process: start, warm up, every scenario, stop. */
    private void session(Target target, int run, List<Scenario> plan) throws Exception {
        target.dropSchema();
        Path runDir = outDir.resolve(target.name() + "-" + run);
        List<String> jvm = new ArrayList<>(List.of(serverJvmOptions.trim().split("\\s+")));
        jvm.add("-Xlog:gc:file=" + runDir.resolve("gc.log") + ":uptime,level"); // GC pauses are the first suspect of a latency spike
        log(String.format("--- %s, run %d; load average %s", target.describe(), run, loadAverage()));
        Payloads payloads = new Payloads(users, batchSize, payloadBytes, target.persist());
        saturatedAt.clear();
        try (ServerProcess server = ServerProcess.start(java, jar, serverCpus, jvm, runDir, target.storeUrl(runDir.resolve("data")));
             LoadGenerator generator = new LoadGenerator("127.0.0.1", server.port(), connections, payloads, batchSize, target.persist())) {
            Files.writeString(runDir.resolve("command.txt"), String.join(" ", server.command()) + "\n");
            // JIT warm-up: alternating single and batch in four chunks, so both paths are compiled before any window
            long chunk = TimeUnit.SECONDS.toNanos(warmupSeconds) / 4;
            for (Scenario warm : List.of(Scenario.SINGLE_MAX, Scenario.BATCH_MAX, Scenario.SINGLE_MAX, Scenario.BATCH_MAX)) {
                LoadGenerator.Outcome o = generator.start(warm, inFlight(warm), 0, chunk).await(TimeUnit.SECONDS.toNanos(drainSeconds));
                if (o.failures() > 0) {
                    log("warm-up failed (" + o.failures() + "): " + o.firstFailure() + "\n" + tail(server.output()));
                }
            }
            for (Scenario scenario : plan) {
                Integer saturated = saturatedAt.get(scenario.kind());
                if (!scenario.closedLoop() && saturated != null && saturated < scenario.messagesPerSecond()) {
                    log(String.format("%-10s %-14s skipped: saturated already at %,d msg/s", target.name(), scenario, saturated));
                    continue;
                }
                RunResult r = measure(target, run, scenario, generator, server.pid(), runDir);
                results.add(r);
                Files.writeString(outDir.resolve("runs.csv"), r.csv() + "\n", StandardOpenOption.APPEND);
                log(r.line());
                if (r.saturated()) {
                    saturatedAt.merge(scenario.kind(), scenario.messagesPerSecond(), Math::min);
                }
                if (!server.alive()) {
                    throw new IllegalStateException("the server died:\n" + tail(server.output()));
                }
            }
        } finally {
            target.dropSchema();
            if (!keepData) {
                deleteTree(runDir.resolve("data"));
            }
        }
    }

    private int inFlight(Scenario s) {
        return s.kind() == Scenario.Kind.SINGLE ? singleInFlight : batchInFlight;
    }

    private RunResult measure(Target target, int run, Scenario scenario, LoadGenerator generator, long serverPid, Path runDir)
            throws InterruptedException, IOException {
        Path recording = jfr ? runDir.resolve(scenario.label().replace('@', '-') + ".jfr") : null;
        if (recording != null) {
            jcmd(serverPid, "JFR.start", "name=bench", "settings=profile", "jdk.CPUTimeSample#enabled=true", "jdk.CPUTimeSample#throttle=1ms");
        }
        FsyncTrace fsyncs = traceFsync ? FsyncTrace.start(runDir.resolve(scenario.label().replace('@', '-') + ".fsync.txt")) : null;
        LoadGenerator.Run r = generator.start(scenario, inFlight(scenario), TimeUnit.SECONDS.toNanos(rampSeconds),
                TimeUnit.SECONDS.toNanos(durationSeconds));
        boolean pg = target.pgSchema() != null;
        sleepUntil(r.measureStart);
        long wall0 = System.nanoTime();
        long gen0 = self.getProcessCpuTime();
        double server0 = cpu.seconds(serverPid);
        Map<String, Double> threads0 = cpu.secondsPerThread(serverPid);
        long[] written0 = ProcCpu.writtenBytes(serverPid);
        Map<Long, Long> processes0 = ProcCpu.userProcessTicks();
        double pg0 = pg ? cpu.secondsOfAll("postgres") : 0;
        sleepUntil(r.measureEnd);
        long wall1 = System.nanoTime();
        long gen1 = self.getProcessCpuTime();
        double server1 = cpu.seconds(serverPid);
        Map<String, Double> threads1 = cpu.secondsPerThread(serverPid);
        long[] written1 = ProcCpu.writtenBytes(serverPid);
        Map<Long, Long> processes1 = ProcCpu.userProcessTicks();
        double pg1 = pg ? cpu.secondsOfAll("postgres") : 0;
        if (recording != null) {
            jcmd(serverPid, "JFR.stop", "name=bench", "filename=" + recording.toAbsolutePath());
        }
        FsyncTrace.Summary synced = fsyncs == null ? null : fsyncs.stop(serverPid, r.measureStart, r.measureEnd);
        LoadGenerator.Outcome o = r.await(TimeUnit.SECONDS.toNanos(drainSeconds));
        if (synced != null) {
            double seconds = (r.measureEnd - r.measureStart) / 1e9;
            log(String.format("%-10s %-14s run %d: server %s%s", target.name(), scenario.label(), run,
                    synced.server().describe(seconds, o.messages()),
                    pg ? "; postgres " + synced.postgres().describe(seconds, o.messages()) : ""));
            Path csv = outDir.resolve("fsync.csv");
            if (!Files.exists(csv)) {
                Files.writeString(csv, "target,scenario,run,messages,server_fsyncs,server_fsync_ms,server_fsync_max_ms,postgres_fsyncs,postgres_fsync_ms,postgres_fsync_max_ms\n");
            }
            Files.writeString(csv, String.format(Locale.ROOT, "%s,%s,%d,%d,%d,%.1f,%.2f,%d,%.1f,%.2f%n", target.name(), scenario.label(), run,
                    o.messages(), synced.server().calls(), synced.server().totalMs(), synced.server().maxMs(),
                    synced.postgres().calls(), synced.postgres().totalMs(), synced.postgres().maxMs()), StandardOpenOption.APPEND);
        }
        logThreads(target, run, scenario, threads0, threads1, (r.measureEnd - r.measureStart) / 1e9);
        double diskPerMessage = Double.NaN;
        if (written0[0] >= 0 && written1[0] >= 0 && o.messages() > 0) {
            long wchar = written1[0] - written0[0];
            long disk = written1[1] - written0[1];
            log(String.format(Locale.ROOT, "%-10s %-14s run %d: server wrote %.1f MB with write() (%,.0f bytes/msg), %.1f MB to the block layer (%,.0f bytes/msg)",
                    target.name(), scenario.label(), run, wchar / 1e6, (double) wchar / o.messages(), disk / 1e6, (double) disk / o.messages()));
            diskPerMessage = (double) disk / o.messages();
        }
        Histogram h = o.latency();
        return new RunResult(target.name(), scenario.label(), run, scenario.messagesPerSecond(), (r.measureEnd - r.measureStart) / 1e9,
                o.messages(), o.failures(), o.firstFailure() == null ? "" : o.firstFailure(),
                ms(h, 50), ms(h, 90), ms(h, 99), ms(h, 99.9), h.getTotalCount() == 0 ? Double.NaN : h.getMaxValue() / 1000.0,
                server1 - server0, pg1 - pg0, 100.0 * (gen1 - gen0) / (wall1 - wall0), o.maxSendLagMicros() / 1000.0, o.gaveUp(),
                neighbourCpuPct(processes0, processes1, serverPid, (wall1 - wall0) / 1e9), diskPerMessage);
    }

    /** The server's CPU per thread name over the window, busiest first, into the log and threads.csv. */
    private void logThreads(Target target, int run, Scenario scenario, Map<String, Double> before, Map<String, Double> after, double seconds)
            throws IOException {
        List<Map.Entry<String, Double>> used = new ArrayList<>();
        after.forEach((name, s) -> used.add(Map.entry(name, s - before.getOrDefault(name, 0.0))));
        used.sort(Map.Entry.<String, Double>comparingByValue().reversed());
        StringBuilder line = new StringBuilder();
        Path csv = outDir.resolve("threads.csv");
        if (!Files.exists(csv)) {
            Files.writeString(csv, "target,scenario,run,thread,cpu_s,share_of_window_pct\n");
        }
        StringBuilder rows = new StringBuilder();
        for (Map.Entry<String, Double> e : used) {
            if (e.getValue() <= 0) {
                continue;
            }
            rows.append(String.format(Locale.ROOT, "%s,%s,%d,\"%s\",%.2f,%.1f%n", target.name(), scenario.label(), run, e.getKey(), e.getValue(),
                    100 * e.getValue() / seconds));
            if (e.getValue() >= 0.05 * seconds / 10) {
                line.append(String.format(Locale.ROOT, "%s%s %.0f%%", line.isEmpty() ? "" : ", ", e.getKey(), 100 * e.getValue() / seconds));
            }
        }
        Files.writeString(csv, rows.toString(), StandardOpenOption.APPEND);
        log(String.format("%-10s %-14s run %d: server threads (%% of one core): %s", target.name(), scenario.label(), run, line));
    }

    /** Runs the server JDK's jcmd against the server (on the generator's CPU: it inherits this process's affinity). */
    private void jcmd(long pid, String... command) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(java.resolveSibling("jcmd").toString(), Long.toString(pid)));
        args.addAll(List.of(command));
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || output.contains("Could not")) {
            log("jcmd " + String.join(" ", command) + " failed: " + output.trim());
        }
    }

    /**
     * CPU time of the machine's other user-space processes over the window, in % of one core: everything but
     * the server, this generator, PostgreSQL and the tools the harness runs (perf, jcmd). Kernel threads are not
     * counted (their work is mostly the system under test's I/O). Processes that exited during the window are missed.
     */
    private double neighbourCpuPct(Map<Long, Long> before, Map<Long, Long> after, long serverPid, double seconds) {
        long self = ProcessHandle.current().pid();
        long ticks = 0;
        for (Map.Entry<Long, Long> e : after.entrySet()) {
            long pid = e.getKey();
            if (pid == self || pid == serverPid) {
                continue;
            }
            String comm = ProcCpu.comm(pid);
            if (comm.startsWith("postgres") || comm.equals("perf") || comm.equals("jcmd")) {
                continue;
            }
            ticks += Math.max(0, e.getValue() - before.getOrDefault(pid, 0L));
        }
        return 100 * ticks / cpu.ticksPerSecond() / seconds;
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait;
        while ((wait = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    private static String tail(String text) {
        return text.length() <= 4000 ? text : text.substring(text.length() - 4000);
    }

    private void log(String line) throws IOException {
        String stamped = LocalDateTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")) + " " + line;
        System.out.println(stamped);
        Files.writeString(outDir.resolve("bench.log"), stamped + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
