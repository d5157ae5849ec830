package dev.herald.bench.soak;

import dev.herald.bench.ProcCpu;

import java.io.IOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Samples the server process from outside, one CSV row per call to {@link #sample}: RSS and threads
 * ({@code /proc/<pid>/status}), open file descriptors ({@code /proc/<pid>/fd}), CPU seconds, heap in use (the
 * {@code jvm_memory_used_bytes} heap pools of {@code /metrics}) and, on the samples asked for, heap <b>after a full
 * GC</b> ({@code jcmd <pid> GC.run}, which returns when the collection is done, then {@code /metrics} again), the
 * node's {@code /api/v1/stats} counters, and the generator's counters. Keeps the trend series in memory for
 * {@link Trend}. Blocking; called from one sampling thread.
 */
final class Sampler implements AutoCloseable {
    static final List<String> TRENDS = List.of("rss_mb", "heap_after_gc_mb", "fds", "threads");
    private static final Pattern HEAP = Pattern.compile("(?m)^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*} ([0-9.eE+-]+)");
    private static final Pattern STAT = Pattern.compile("\"(connections|messagesIn|dropped|slowConsumerCloses)\":(\\d+)");

    private final long pid;
    private final Path jcmd;
    private final Path gcLog;
    private final String base;
    private final Supplier<Map<String, Long>> generator;
    private final Writer csv;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ProcCpu cpu = new ProcCpu();
    private final long startNanos = System.nanoTime();
    private final List<double[]> series = new ArrayList<>(); // elapsed s, then TRENDS in order
    private boolean header = true;
    private Map<String, String> lastStats = Map.of();

    /** {@code gcLog}: the server's {@code -Xlog:gc} file, where the heap after each full GC is read. */
    Sampler(long pid, Path jcmd, Path gcLog, int port, Supplier<Map<String, Long>> generator, Path csvFile) throws IOException {
        this.pid = pid;
        this.jcmd = jcmd;
        this.gcLog = gcLog;
        this.base = "http://127.0.0.1:" + port;
        this.generator = generator;
        this.csv = Files.newBufferedWriter(csvFile, StandardCharsets.UTF_8);
    }

    /** One row; with {@code fullGc} the heap after a full GC too (a pause on the server: a few per run, not every sample). */
    void sample(boolean fullGc) throws IOException, InterruptedException {
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
        double rssMb = field(status, "VmRSS") / 1024.0;
        double threads = field(status, "Threads");
        long fds;
        try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            fds = s.count();
        }
        double heapMb = heapMb();
        double afterGc = Double.NaN;
        if (fullGc) {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0 && Files.exists(gcLog)) {
                afterGc = GcLog.lastFullGcAfterMb(Files.readString(gcLog, StandardCharsets.UTF_8));
            }
        }
        String stats = get("/api/v1/stats");
        Map<String, Long> gen = generator.get();
        if (header) {
            csv.write("elapsed_s,rss_mb,heap_after_gc_mb,heap_used_mb,fds,threads,server_cpu_s,connections,messages_in,dropped,slow_consumer_closes,"
                    + String.join(",", gen.keySet()) + "\n");
            header = false;
        }
        StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%.1f,%.1f,%s,%.1f,%d,%.0f,%.1f", elapsed, rssMb,
                Double.isNaN(afterGc) ? "" : String.format(Locale.ROOT, "%.1f", afterGc), heapMb, fds, threads, cpu.seconds(pid)));
        Map<String, String> now = new java.util.LinkedHashMap<>();
        for (String key : List.of("connections", "messagesIn", "dropped", "slowConsumerCloses")) {
            now.put(key, stat(stats, key));
            row.append(',').append(now.get(key));
        }
        lastStats = now;
        gen.values().forEach(v -> row.append(',').append(v));
        csv.write(row.append('\n').toString());
        csv.flush();
        series.add(new double[] {elapsed, rssMb, afterGc, fds, threads});
    }

    /**
     * Writes the server's live objects by class ({@code jcmd <pid> GC.class_histogram}, after a full GC) to {@code file}.
     * G1's {@code jdk.internal.vm.FillerElement} arrays in it are filler for dead space, not live objects.
     */
    void histogram(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.class_histogram").redirectErrorStream(true)
                .redirectOutput(file.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
    }

    /** The node's {@code /api/v1/stats} counters at the last sample (connections, messagesIn, dropped, slowConsumerCloses). */
    Map<String, String> lastStats() {
        return lastStats;
    }

    /** Slope per hour of each of {@link #TRENDS} from {@code fromSecond} on. */
    double[] slopes(double fromSecond) {
        double[] t = series.stream().mapToDouble(r -> r[0]).toArray();
        double[] out = new double[TRENDS.size()];
        for (int k = 0; k < out.length; k++) {
            int col = k + 1;
            out[k] = Trend.perHour(t, series.stream().mapToDouble(r -> r[col]).toArray(), fromSecond);
        }
        return out;
    }

    /** The last sample's value of each of {@link #TRENDS} (NaN before any). */
    double[] last() {
        double[] out = new double[TRENDS.size()];
        java.util.Arrays.fill(out, Double.NaN);
        for (double[] r : series) {
            for (int k = 0; k < out.length; k++) {
                if (!Double.isNaN(r[k + 1])) {
                    out[k] = r[k + 1];
                }
            }
        }
        return out;
    }

    private double heapMb() {
        Matcher m = HEAP.matcher(get("/metrics"));
        double bytes = 0;
        boolean any = false;
        while (m.find()) {
            bytes += Double.parseDouble(m.group(1));
            any = true;
        }
        return any ? bytes / (1024 * 1024) : Double.NaN;
    }

    private String get(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static String stat(String stats, String key) {
        Matcher m = STAT.matcher(stats);
        while (m.find()) {
            if (m.group(1).equals(key)) {
                return m.group(2);
            }
        }
        return "";
    }

    private static double field(String status, String name) {
        for (String line : status.split("\n")) {
            if (line.startsWith(name + ":")) {
                return Double.parseDouble(line.substring(name.length() + 1).trim().split("\\s+")[0]);
            }
        }
        return Double.NaN;
    }

    @Override
    public void close() throws IOException {
        csv.close();
        http.close();
    }
}
