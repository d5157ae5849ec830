package dev.herald.bench.soak;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the heap after a full GC from the server's GC log ({@code -Xlog:gc}), e.g.
 * {@code [63.924s][info] GC(8) Pause Full (Diagnostic Command) 304M->37M(989M) 260.833ms}: the {@code 37M} is what
 * the collection kept, measured by the collector at the end of the pause. Reading the heap in use afterwards (from
 * {@code /metrics}) adds whatever the server allocated between the pause and the scrape; on a busy server that is
 * hundreds of MB of young garbage, and it grows as G1 sizes its young generation up, which looks like a leak.
 */
final class GcLog {
    private static final Pattern FULL = Pattern.compile("Pause Full \\(Diagnostic Command\\) \\d+[KMG]->(\\d+)([KMG])\\(");

    private GcLog() { }

    /** The heap in MB after the last full GC that {@code jcmd GC.run} asked for in {@code log}, or NaN when there is none. */
    static double lastFullGcAfterMb(String log) {
        Matcher m = FULL.matcher(log);
        double mb = Double.NaN;
        while (m.find()) {
            double v = Double.parseDouble(m.group(1));
            mb = switch (m.group(2).toUpperCase(Locale.ROOT)) {
                case "K" -> v / 1024;
                case "G" -> v * 1024;
                default -> v;
            };
        }
        return mb;
    }
}
