package dev.herald.server.testing;

import dev.herald.core.JsonText;
import io.vertx.core.json.JsonObject;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The Autobahn|Testsuite fuzzing client (autobahn's {@code wstest -m fuzzingclient}), run against a
 * WebSocket URL in a JVM of its own.
 *
 * <p>wstest is Python (Twisted); it comes packaged with Jython in the autobahntestsuite Maven plugin,
 * whose jar holds the Python sources. {@code ./mvnw verify} copies that jar and Jython's to the folder
 * named by the {@code autobahn.lib} system property (herald-server's pom). The plugin's own goal is not
 * used: it runs Jython and the server inside Maven's JVM, aims at {@code InetAddress.getLocalHost()}
 * rather than loopback, and cannot take a path. Here Jython runs in a child JVM whose class path holds
 * those two jars only (Jython breaks when Netty is on its class path), against any URL.
 *
 * <p>Blocking; one run at a time per output folder.
 */
public final class AutobahnFuzzingClient {
    /** The agent name in wstest's reports. */
    public static final String AGENT = "Herald";

    private final Path lib;

    private AutobahnFuzzingClient(Path lib) {
        this.lib = lib;
    }

    /** The client whose jars are in the folder named by the {@code autobahn.lib} system property. */
    public static AutobahnFuzzingClient fromBuild() {
        String dir = System.getProperty("autobahn.lib");
        if (dir == null || !Files.isRegularFile(Path.of(dir, "jython-standalone.jar"))
                || !Files.isRegularFile(Path.of(dir, "autobahntestsuite.jar"))) {
            throw new IllegalStateException("autobahn.lib (" + dir + ") does not hold jython-standalone.jar and autobahntestsuite.jar: "
                    + "run through ./mvnw verify, whose pre-integration-test phase copies them");
        }
        return new AutobahnFuzzingClient(Path.of(dir));
    }

    /**
     * Runs the cases matching {@code cases} (wstest patterns: {@code "1.*"}, {@code "6.4.3"}, {@code "*"})
     * except {@code excludeCases} against {@code url}, writing wstest's reports (HTML and JSON per case)
     * and its log under {@code outDir}. Fails when wstest does not finish within {@code timeout}.
     */
    public Report run(URI url, List<String> cases, List<String> excludeCases, Path outDir, Duration timeout)
            throws IOException, InterruptedException {
        Path reports = outDir.resolve("reports");
        if (Files.isDirectory(reports)) { // wstest adds to it: start from an empty one, or old cases would linger
            try (var old = Files.walk(reports)) {
                old.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(outDir);
        Path spec = outDir.resolve("fuzzingclient.json");
        Files.writeString(spec, """
                {
                  "options": {"failByDrop": false},
                  "outdir": "reports",
                  "servers": [{"agent": %s, "url": %s, "options": {"version": 18}}],
                  "cases": %s,
                  "exclude-cases": %s,
                  "exclude-agent-cases": {}
                }
                """.formatted(JsonText.quote(AGENT), JsonText.quote(url.toString()), jsonArray(cases), jsonArray(excludeCases)));
        Path log = outDir.resolve("wstest.log");
        Path javaCommand = Path.of(System.getProperty("java.home"), "bin", "java");
        Process wstest = new ProcessBuilder(javaCommand.toString(),
                "-cp", lib.resolve("jython-standalone.jar") + File.pathSeparator + lib.resolve("autobahntestsuite.jar"),
                "org.python.util.jython", "-c", "from autobahntestsuite import wstest; wstest.run()",
                "-m", "fuzzingclient", "-s", spec.getFileName().toString())
                .directory(outDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!wstest.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            wstest.destroyForcibly().waitFor();
            throw new AssertionError("wstest did not finish within " + timeout + "; see " + log);
        }
        Path index = reports.resolve("index.json");
        if (wstest.exitValue() != 0 || !Files.isRegularFile(index)) {
            throw new AssertionError("wstest exited with " + wstest.exitValue() + " and no report; see " + log);
        }
        return Report.read(index);
    }

    private static String jsonArray(List<String> values) {
        return values.stream().map(JsonText::quote).collect(Collectors.joining(", ", "[", "]"));
    }

    /** One case's outcome as wstest judged it. {@code behavior} is OK, NON-STRICT, INFORMATIONAL, UNIMPLEMENTED or FAILED. */
    public record CaseResult(String id, String behavior, String behaviorClose, Integer remoteCloseCode, long millis) {
        /** The plugin's rule: anything but OK, NON-STRICT and INFORMATIONAL fails. */
        public boolean failed() {
            return !Set.of("OK", "NON-STRICT", "INFORMATIONAL").contains(behavior);
        }

        /** Autobahn's section: the case id's first number. */
        public int section() {
            return Integer.parseInt(id.substring(0, id.indexOf('.')));
        }

        @Override
        public String toString() {
            return id + " " + behavior + " (close: " + behaviorClose + ", code " + remoteCloseCode + ", " + millis + " ms)";
        }
    }

    /** Every case of one run, in case-id order. */
    public record Report(List<CaseResult> cases) {
        static final Comparator<String> CASE_ORDER = (a, b) -> {
            String[] x = a.split("\\.");
            String[] y = b.split("\\.");
            for (int i = 0; i < Math.min(x.length, y.length); i++) {
                int c = Integer.compare(Integer.parseInt(x[i]), Integer.parseInt(y[i]));
                if (c != 0) {
                    return c;
                }
            }
            return Integer.compare(x.length, y.length);
        };

        static Report read(Path index) throws IOException {
            JsonObject agent = new JsonObject(Files.readString(index)).getJsonObject(AGENT);
            List<CaseResult> cases = new ArrayList<>();
            for (String id : agent.fieldNames()) {
                JsonObject c = agent.getJsonObject(id);
                cases.add(new CaseResult(id, c.getString("behavior"), c.getString("behaviorClose"),
                        c.getInteger("remoteCloseCode"), c.getLong("duration", 0L)));
            }
            cases.sort(Comparator.comparing(CaseResult::id, CASE_ORDER));
            return new Report(List.copyOf(cases));
        }

        public List<CaseResult> failed() {
            return cases.stream().filter(CaseResult::failed).toList();
        }

        /** The table's columns: wstest's verdicts, with any other one counted as FAILED. */
        static final List<String> COLUMNS = List.of("OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED");

        /** Per section, how many cases ended in each of {@link #COLUMNS}. */
        public Map<Integer, Map<String, Integer>> bySection() {
            Map<Integer, Map<String, Integer>> sections = new TreeMap<>();
            for (CaseResult c : cases) {
                String column = COLUMNS.contains(c.behavior()) ? c.behavior() : "FAILED";
                sections.computeIfAbsent(c.section(), s -> new TreeMap<>()).merge(column, 1, Integer::sum);
            }
            return sections;
        }

        /** A Markdown table: one row per section and a total, with the count of each of {@link #COLUMNS}. */
        public String table() {
            StringBuilder out = new StringBuilder("| section | cases | " + String.join(" | ", COLUMNS) + " |\n|---|---|---|---|---|---|---|\n");
            int[] totals = new int[COLUMNS.size() + 1];
            bySection().forEach((section, counts) -> {
                int all = counts.values().stream().mapToInt(Integer::intValue).sum();
                totals[0] += all;
                out.append("| ").append(section).append(" | ").append(all);
                for (int i = 0; i < COLUMNS.size(); i++) {
                    int n = counts.getOrDefault(COLUMNS.get(i), 0);
                    totals[i + 1] += n;
                    out.append(" | ").append(n);
                }
                out.append(" |\n");
            });
            out.append("| all | ").append(totals[0]);
            for (int i = 1; i < totals.length; i++) {
                out.append(" | ").append(totals[i]);
            }
            return out.append(" |\n").toString();
        }

        /** The cases that did not end OK, one per line. */
        public String notOk() {
            return cases.stream().filter(c -> !"OK".equals(c.behavior())).map(CaseResult::toString)
                    .collect(Collectors.joining("\n"));
        }
    }
}
