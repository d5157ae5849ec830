package dev.herald.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Turns the runs into Markdown: per (store, scenario) the <b>median</b> of each figure over the counted
 * runs (valid and not disturbed; each column separately), how many runs counted, and durable ÷ non-durable
 * ratios. A group with no counted run shows the median of all its runs, and its notes say why none counted.
 */
public final class Report {
    private final Map<String, List<RunResult>> groups = new LinkedHashMap<>();

    public Report(List<RunResult> runs) {
        for (RunResult r : runs) {
            groups.computeIfAbsent(r.target() + "|" + r.scenario(), k -> new ArrayList<>()).add(r);
        }
    }

    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        int mid = v.length / 2;
        return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    }

    /** The median of one figure over the group's counted runs (valid, not disturbed), or over all of them when none counts. */
    static double median(List<RunResult> runs, ToDoubleFunction<RunResult> figure) {
        List<RunResult> counted = runs.stream().filter(RunResult::counted).toList();
        return median((counted.isEmpty() ? runs : counted).stream().mapToDouble(figure).toArray());
    }

    public String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("| store | scenario | offered msg/s | accepted msg/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms "
                + "| disk bytes/msg | server CPU s | msg per server CPU-s | PG CPU s | gen CPU % | neighbours CPU % | runs counted | notes |\n");
        sb.append("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n");
        for (List<RunResult> runs : groups.values()) {
            RunResult first = runs.get(0);
            long valid = runs.stream().filter(RunResult::counted).count();
            long saturated = runs.stream().filter(RunResult::saturated).count();
            List<String> notes = new ArrayList<>();
            if (saturated > 0) {
                notes.add("saturated in " + saturated + "/" + runs.size());
            }
            runs.stream().filter(r -> !r.counted()).map(r -> String.format(Locale.ROOT, "run %d (%,.0f msg/s): %s", r.run(), r.accepted(),
                    r.problems())).forEach(notes::add);
            double pg = median(runs, RunResult::postgresCpu);
            // a saturated open-loop window measures a backlog, not a capacity: marked, see the @max rows
            String mark = saturated * 2 > runs.size() ? " †" : "";
            double bytes = median(runs, RunResult::diskBytesPerMessage);
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %,.0f%s | %.2f | %.2f | %.2f | %.2f | %.2f | %s | %.2f | %,.0f | %s | %.0f | %s | %d/%d | %s |\n",
                    first.target(), first.scenario(), first.offered() == 0 ? "max (closed loop)" : String.format(Locale.ROOT, "%,d", first.offered()),
                    median(runs, RunResult::accepted), mark, median(runs, RunResult::p50Ms), median(runs, RunResult::p90Ms),
                    median(runs, RunResult::p99Ms), median(runs, RunResult::p999Ms), median(runs, RunResult::maxMs),
                    Double.isNaN(bytes) ? "–" : String.format(Locale.ROOT, "%,.0f", bytes), median(runs, RunResult::serverCpu), median(runs, RunResult::messagesPerServerCpuSecond),
                    pg > 0 ? String.format(Locale.ROOT, "%.2f", pg) : "–", median(runs, RunResult::generatorCpuPct),
                    Double.isNaN(median(runs, RunResult::neighbourCpuPct)) ? "–" : String.format(Locale.ROOT, "%.0f", median(runs, RunResult::neighbourCpuPct)),
                    valid, runs.size(), String.join("; ", notes).replace("|", "/")));
        }
        sb.append("\n† saturated in most runs: the server did not keep up with the offered rate, so the figure is what was "
                + "answered in the window (latencies include the backlog), not a capacity; the @max rows give the capacity.\n\n");
        sb.append(ratios());
        return sb.toString();
    }

    /**
     * The run's headline figures: per durable store, the accepted msg/s of every closed-loop ({@code @max}) scenario
     * (of every scenario when none is closed-loop) with the non-durable baseline as its "peer".
     */
    public List<Headlines.Row> headlines() {
        boolean anyMax = groups.values().stream().anyMatch(runs -> runs.get(0).scenario().endsWith("@max"));
        List<Headlines.Row> rows = new ArrayList<>();
        for (List<RunResult> runs : groups.values()) {
            RunResult first = runs.get(0);
            if (first.target().equals("nondurable") || (anyMax && !first.scenario().endsWith("@max"))) {
                continue;
            }
            List<RunResult> base = groups.get("nondurable|" + first.scenario());
            rows.add(new Headlines.Row(first.scenario() + " accepted msg/s, " + first.target() + (base == null ? "" : " vs nondurable"),
                    median(runs, RunResult::accepted), base == null ? Double.NaN : median(base, RunResult::accepted)));
            double bytes = median(runs, RunResult::diskBytesPerMessage);
            if (!Double.isNaN(bytes)) {
                // beside the throughput it came with: bytes per message depend on the group size, i.e. on the load
                rows.add(Headlines.Row.alone(first.scenario() + " disk bytes/msg, " + first.target(), bytes));
            }
        }
        return rows;
    }

    /** Durable ÷ non-durable, for every scenario measured with both: throughput, p99 and messages per server CPU-second. */
    String ratios() {
        StringBuilder sb = new StringBuilder("| scenario | store | accepted ÷ non-durable | p99 ÷ non-durable | msg per server CPU-s ÷ non-durable |\n"
                + "|---|---|--:|--:|--:|\n");
        boolean any = false;
        for (List<RunResult> runs : groups.values()) {
            RunResult first = runs.get(0);
            if (first.target().equals("nondurable")) {
                continue;
            }
            List<RunResult> base = groups.get("nondurable|" + first.scenario());
            if (base == null) {
                continue;
            }
            any = true;
            sb.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.2f | %.2f |\n", first.scenario(), first.target(),
                    median(runs, RunResult::accepted) / median(base, RunResult::accepted),
                    median(runs, RunResult::p99Ms) / median(base, RunResult::p99Ms),
                    median(runs, RunResult::messagesPerServerCpuSecond) / median(base, RunResult::messagesPerServerCpuSecond)));
        }
        return any ? sb.toString() : "";
    }
}
