package dev.herald.bench.soak;

import dev.herald.bench.Headlines;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a soak found, in three forms: {@code summary.md} in its results directory, one line for the "Soak" section of
 * {@code bench/RESULTS.md}, and rows for {@code headlines.csv}. A trend is <b>flat</b> when its slope over one hour
 * would move it by at most {@value #FLAT_SHARE_PERCENT} % of its last value; short runs extrapolate their noise to an
 * hour, so only the 30-minute runs' verdicts mean anything.
 */
final class SoakReport {
    static final double FLAT_SHARE_PERCENT = 5;
    private static final String[] LABELS = {"RSS", "heap after GC", "open fds", "threads"};
    private static final String[] UNITS = {"MB", "MB", "", ""};

    private final Soak soak;
    private final double[] slopes;
    private final double[] last;
    private final Ledger.Result ledger;
    private final Map<String, Long> counters;
    private final Map<String, String> serverStats;
    private final Path dir;

    SoakReport(Soak soak, double[] slopes, double[] last, Ledger.Result ledger, Map<String, Long> counters,
               Map<String, String> serverStats, Path dir) {
        this.soak = soak;
        this.slopes = slopes;
        this.last = last;
        this.ledger = ledger;
        this.counters = counters;
        this.serverStats = serverStats;
        this.dir = dir;
    }

    static String verdict(double slopePerHour, double lastValue) {
        if (Double.isNaN(slopePerHour) || Double.isNaN(lastValue)) {
            return "unknown";
        }
        if (Math.abs(slopePerHour) <= Math.abs(lastValue) * FLAT_SHARE_PERCENT / 100) {
            return "flat";
        }
        return slopePerHour > 0 ? "rising" : "falling";
    }

    String load() {
        return String.format(Locale.ROOT, "%s min, %,d connections, %,.0f churn/s, %,.0f msg/s (%.0f %% of the crowd's durable), "
                        + "%d ledger users at %,.0f msg/s, %d slow consumers, %,.1f kicks/s",
                trim(soak.minutes), soak.connections, soak.churn, soak.rate, soak.durableShare * 100, soak.ledgerUsers, soak.ledgerRate,
                soak.slowConsumers, soak.kickRate);
    }

    String markdown() {
        StringBuilder sb = new StringBuilder("# Soak — " + dir.getFileName() + "\n\n");
        sb.append(load()).append("; samples every ").append(soak.sampleSeconds).append(" s (heap after a full GC at most every ")
                .append(soak.gcSeconds).append(" s), slopes from minute ").append(trim(soak.warmupSeconds() / 60)).append(" on. ")
                .append("Machine: ").append(Headlines.machineNote()).append(".\n\n");
        sb.append("| figure | last | slope per hour | verdict |\n|---|--:|--:|---|\n");
        for (int k = 0; k < LABELS.length; k++) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |\n", LABELS[k], number(last[k], UNITS[k]), signed(slopes[k], UNITS[k]),
                    verdict(slopes[k], last[k])));
        }
        sb.append(String.format(Locale.ROOT, "\n**Ledger**: %,d durable publishes acknowledged to %d users, %,d receipts; **%,d lost silently**, "
                        + "%,d lost to a reported gap (dropped by the inbox cap or the TTL while the user was away, after a `gap` frame), "
                        + "%,d delivered only on request (missed by the connection, returned by the pull API), %,d unchecked (the pull API "
                        + "could not be read), %,d duplicated, %,d out of order, %,d received without an acknowledgement, %,d gap frames, "
                        + "%,d failed ledger publishes, %,d ledger reconnects. Per message: `ledger-missing.csv`; the ledger users' "
                        + "connections: `ledger-events.csv`.\n", ledger.acknowledged(), soak.ledgerUsers, ledger.receipts(),
                ledger.lostSilently(), ledger.lostToGap(), ledger.replayable(), ledger.unchecked(), ledger.duplicates(), ledger.outOfOrder(),
                ledger.unacknowledged(), ledger.gaps(), ledger.publishFailures(), ledger.reconnects()));
        sb.append("\n**Server** (`/api/v1/stats` at the end): ");
        List<String> stats = new ArrayList<>();
        serverStats.forEach((k, v) -> stats.add(k + " " + v));
        sb.append(String.join(", ", stats)).append(".\n");
        sb.append("\n**Generator**: ");
        List<String> parts = new ArrayList<>();
        counters.forEach((k, v) -> parts.add(k + " " + String.format(Locale.ROOT, "%,d", v)));
        sb.append(String.join(", ", parts)).append(".\n\nSamples: `soak.csv`; server log and GC log beside it.\n");
        return sb.toString();
    }

    String resultsLine() {
        StringBuilder trends = new StringBuilder();
        for (int k = 0; k < LABELS.length; k++) {
            trends.append(k == 0 ? "" : ", ").append(LABELS[k]).append(' ').append(signed(slopes[k], UNITS[k])).append(" (")
                    .append(verdict(slopes[k], last[k])).append(')');
        }
        return String.format(Locale.ROOT, "- %s · `%s` · %s · per hour: %s · ledger: %,d acknowledged, **%,d lost silently**, "
                        + "%,d lost to a reported gap, %,d unchecked, %,d duplicated, %,d out of order · publishes failed %,d, skipped %,d · %s · `%s`",
                ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")), soak.commit, load(),
                trends, ledger.acknowledged(), ledger.lostSilently(), ledger.lostToGap(), ledger.unchecked(), ledger.duplicates(), ledger.outOfOrder(),
                counters.getOrDefault("publish_failed", 0L), counters.getOrDefault("backlog_skips", 0L), Headlines.machineNote(),
                dir.toString().replace('\\', '/'));
    }

    List<Headlines.Row> headlines() {
        String scale = String.format(Locale.ROOT, " (%s min, %d conns, %.0f msg/s)", trim(soak.minutes), soak.connections, soak.rate);
        List<Headlines.Row> rows = new ArrayList<>();
        String[] names = {"RSS slope MB/h", "heap after GC slope MB/h", "open fds slope /h", "threads slope /h"};
        for (int k = 0; k < names.length; k++) {
            if (!Double.isNaN(slopes[k])) {
                rows.add(Headlines.Row.alone(names[k] + scale, slopes[k]));
            }
        }
        rows.add(Headlines.Row.alone("ledger lost silently" + scale, ledger.lostSilently()));
        rows.add(Headlines.Row.alone("ledger lost to a reported gap" + scale, ledger.lostToGap()));
        rows.add(Headlines.Row.alone("ledger duplicated" + scale, ledger.duplicates()));
        return rows;
    }

    /** Appends {@code line} at the end of the "## Soak" section, creating the section at the end of the file. */
    static void appendToResults(Path md, String line) throws IOException {
        String text = Files.exists(md) ? Files.readString(md, StandardCharsets.UTF_8) : "";
        Files.writeString(md, withSoakLine(text, line), StandardCharsets.UTF_8);
    }

    static String withSoakLine(String text, String line) {
        int section = text.indexOf("\n## Soak\n");
        if (section < 0) {
            String body = text.isEmpty() || text.endsWith("\n") ? text : text + "\n";
            return body + "\n## Soak\n\n" + "One line per `bench/soak` run (bench/README.md, \"Soak\"), newest last.\n\n" + line + "\n";
        }
        int next = text.indexOf("\n## ", section + 1);
        int end = next < 0 ? text.length() : next;
        String before = text.substring(0, end);
        String after = text.substring(end);
        String trimmed = before.stripTrailing();
        return trimmed + "\n" + line + "\n" + (after.isEmpty() ? "" : "\n" + after.substring(1));
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String number(double v, String unit) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%,.1f%s", v, unit.isEmpty() ? "" : " " + unit);
    }

    private static String signed(double v, String unit) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%+,.1f%s", v, unit.isEmpty() ? "" : " " + unit);
    }
}
