package dev.herald.bench;

import java.io.BufferedReader;
import java.math.BigDecimal;
import java.math.MathContext;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The one writer of {@code bench/results/headlines.csv}: a few headline figures per benchmark run, the only result
 * file kept in git (the raw run directories under {@code bench/results*} stay local). Columns:
 * {@code date,commit,harness,metric,herald,peer,ratio,machine_note}; {@code ratio} is always herald ÷ peer (for
 * latency, memory and slopes smaller is better, so a ratio below 1 favours Herald there), empty without a peer.
 *
 * <p>Every harness appends through this class: the Java ones ({@link DurablePublishBench}, {@link Soak}) call
 * {@link #append}, the shell scripts pipe {@code metric<TAB>herald<TAB>peer} lines into {@link #main} (via
 * {@code bench/headlines.sh}). Appending is not synchronised between processes: one harness runs at a time.
 */
public final class Headlines {
    public static final String HEADER = "date,commit,harness,metric,herald,peer,ratio,machine_note";
    public static final Path DEFAULT_FILE = Path.of("bench/results/headlines.csv");

    /** One figure of one run; {@code peer} is NaN when the figure has no peer (then the ratio is empty too). */
    public record Row(String metric, double herald, double peer) {
        public static Row alone(String metric, double herald) {
            return new Row(metric, herald, Double.NaN);
        }
    }

    private Headlines() {
    }

    /**
     * Appends rows stamped now (UTC), with this checkout's commit and a note on the machine; creates the file with its
     * header. {@code HEADLINE_DATE}, {@code HEADLINE_COMMIT} and {@code HEADLINE_MACHINE} override the three stamps
     * (to record the figures of an older run from its own machine.txt).
     */
    public static void append(Path csv, String harness, List<Row> rows) throws IOException {
        append(csv, harness, env("HEADLINE_COMMIT", Headlines::commit), rows);
    }

    /** As {@link #append(Path, String, List)}, with the commit taken when the run started (before it wrote anything). */
    public static void append(Path csv, String harness, String commit, List<Row> rows) throws IOException {
        String date = env("HEADLINE_DATE", () -> ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm'Z'")));
        append(csv, date, commit, harness, env("HEADLINE_MACHINE", Headlines::machineNote), rows);
    }

    private static String env(String name, Supplier<String> otherwise) {
        String given = System.getenv(name);
        return given == null || given.isBlank() ? otherwise.get() : given;
    }

    static void append(Path csv, String date, String commit, String harness, String note, List<Row> rows) throws IOException {
        if (rows.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        if (!Files.exists(csv) || Files.size(csv) == 0) {
            if (csv.getParent() != null) {
                Files.createDirectories(csv.getParent());
            }
            sb.append(HEADER).append('\n');
        }
        for (Row r : rows) {
            boolean peer = !Double.isNaN(r.peer());
            sb.append(String.join(",", field(date), field(commit), field(harness), field(r.metric()), number(r.herald()),
                    peer ? number(r.peer()) : "", peer && r.peer() != 0 ? String.format(Locale.ROOT, "%.3f", r.herald() / r.peer()) : "",
                    field(note))).append('\n');
        }
        Files.writeString(csv, sb, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    static String number(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        if (Math.abs(v) >= 1000) {
            return Long.toString(Math.round(v)); // counts and rates: a fraction is below the noise
        }
        return new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }

    /** RFC 4180: quoted when it holds a comma, a quote or a line break. */
    static String field(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** Short commit, "+dirty" with uncommitted changes to tracked files. */
    public static String commit() {
        String head = run("git", "rev-parse", "--short", "HEAD");
        if (head.isEmpty()) {
            return "unknown";
        }
        return run("git", "status", "--porcelain", "--untracked-files=no").isEmpty() ? head : head + "+dirty";
    }

    /**
     * The machine's CPUs (from {@code /proc/cpuinfo}: the harnesses run with {@code -XX:ActiveProcessorCount=1}), the
     * 1-minute load at the time of writing, and {@code HEADLINE_NOTE} (free text: "quiet machine", the host, …).
     */
    public static String machineNote() {
        String load = "?";
        long cpus = Runtime.getRuntime().availableProcessors();
        try {
            load = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
            cpus = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("processor")).count();
        } catch (IOException | RuntimeException e) {
            // not Linux: leave the load unknown
        }
        String note = cpus + " CPUs, load " + load;
        String extra = System.getenv("HEADLINE_NOTE");
        return extra == null || extra.isBlank() ? note : note + "; " + extra;
    }

    private static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /**
     * {@code java -cp herald-bench.jar dev.herald.bench.Headlines [--csv FILE] HARNESS < rows}: appends one row per
     * stdin line {@code metric<TAB>herald[<TAB>peer]}; blank lines and lines without a number are skipped.
     */
    public static void main(String[] args) throws IOException {
        Path csv = DEFAULT_FILE;
        int i = 0;
        if (args.length > 1 && args[0].equals("--csv")) {
            csv = Path.of(args[1]);
            i = 2;
        }
        if (args.length != i + 1) {
            System.err.println("usage: Headlines [--csv FILE] HARNESS < lines of metric<TAB>herald[<TAB>peer]");
            System.exit(2);
        }
        List<Row> rows = new ArrayList<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            Row row = parse(line);
            if (row != null) {
                rows.add(row);
            }
        }
        append(csv, args[i], rows);
    }

    static Row parse(String line) {
        String[] f = line.split("\t");
        if (f.length < 2 || f[0].isBlank()) {
            return null;
        }
        try {
            double herald = Double.parseDouble(f[1].trim());
            double peer = f.length > 2 && !f[2].isBlank() ? Double.parseDouble(f[2].trim()) : Double.NaN;
            return new Row(f[0].trim(), herald, peer);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
