package dev.herald.bench;

import java.util.Locale;

/**
 * One measured window of one scenario against one server process.
 *
 * @param target          store label ({@code sqlite}, {@code postgresql}, {@code memory}, {@code nondurable})
 * @param scenario        e.g. {@code single@5000}, {@code batch@max}
 * @param run             1-based repetition
 * @param offered         offered messages/s (0: closed loop)
 * @param seconds         length of the measured window
 * @param messages        messages accepted (2xx) in the window
 * @param failures        failed requests in the whole run (ramp, window, drain)
 * @param firstFailure    the first failure, or empty
 * @param p50Ms           accept latency percentiles in ms (from the intended send time in open loop)
 * @param serverCpu       CPU seconds of the server process in the window
 * @param postgresCpu     CPU seconds of all {@code postgres} processes in the window (0 for other stores)
 * @param generatorCpuPct the generator's CPU time ÷ wall time in the window, in % of one core
 * @param maxSendLagMs    open loop: the generator's worst lateness handing a request to the client
 * @param gaveUp          open loop: the backlog passed 2 s of offered load and the generator stopped sending
 * @param neighbourCpuPct CPU time of the machine's other user-space processes (not the server, the generator, PostgreSQL,
 *                        perf or jcmd) over the window, in % of one core: other users of this shared machine; NaN when unknown
 * @param diskBytesPerMessage what the server process sent to the block layer in the window ({@code write_bytes} of
 *                        {@code /proc/<pid>/io}: the database file, its WAL, logs) ÷ the messages accepted; NaN when unknown.
 *                        Exact whatever the machine's noise, but it depends on the group size, i.e. on the load
 */
public record RunResult(String target, String scenario, int run, int offered, double seconds, long messages, long failures,
                        String firstFailure, double p50Ms, double p90Ms, double p99Ms, double p999Ms, double maxMs,
                        double serverCpu, double postgresCpu, double generatorCpuPct, double maxSendLagMs, boolean gaveUp,
                        double neighbourCpuPct, double diskBytesPerMessage) {

    /** A run is invalid if the generator may have been the bottleneck or anything failed. */
    public static final double MAX_GENERATOR_CPU_PCT = 85;
    /**
     * A run is disturbed (and left out of the medians like an invalid one) when other processes used more
     * than this share of a core during the window: the machine has two cores, both in use by the benchmark,
     * so a neighbour takes its CPU from the server or the generator, and the window measures the neighbour.
     */
    public static final double MAX_NEIGHBOUR_CPU_PCT = 20;

    public double accepted() {
        return messages / seconds;
    }

    public double messagesPerServerCpuSecond() {
        return serverCpu > 0 ? messages / serverCpu : Double.NaN;
    }

    /** Server plus database: for PostgreSQL the work done in its backends counts too. */
    public double messagesPerTotalCpuSecond() {
        double cpu = serverCpu + postgresCpu;
        return cpu > 0 ? messages / cpu : Double.NaN;
    }

    public boolean valid() {
        return failures == 0 && generatorCpuPct <= MAX_GENERATOR_CPU_PCT;
    }

    public boolean disturbed() {
        return neighbourCpuPct > MAX_NEIGHBOUR_CPU_PCT; // false for NaN (not measured)
    }

    /** Counted in the medians: valid and not disturbed. */
    public boolean counted() {
        return valid() && !disturbed();
    }

    /**
     * Open loop only: the server did not keep up with the offered rate — under 97 % of it was accepted
     * in the window, or the median latency passed 100 ms (a queue that grows), or the generator gave up.
     */
    public boolean saturated() {
        return offered > 0 && (gaveUp || accepted() < 0.97 * offered || p50Ms > 100);
    }

    public String problems() {
        StringBuilder sb = new StringBuilder();
        if (failures > 0) {
            sb.append(failures).append(" failed: ").append(firstFailure).append("; ");
        }
        if (generatorCpuPct > MAX_GENERATOR_CPU_PCT) {
            sb.append(String.format(Locale.ROOT, "generator at %.0f%% CPU; ", generatorCpuPct));
        }
        if (disturbed()) {
            sb.append(String.format(Locale.ROOT, "disturbed: other processes used %.0f%% of a core; ", neighbourCpuPct));
        }
        if (gaveUp) {
            sb.append("saturated: stopped sending at a 2 s backlog; ");
        } else if (saturated()) {
            sb.append("saturated; ");
        }
        return sb.isEmpty() ? "" : sb.substring(0, sb.length() - 2);
    }

    static final String CSV_HEADER = "target,scenario,run,offered_msgs_s,window_s,messages,accepted_msgs_s,failures,"
            + "p50_ms,p90_ms,p99_ms,p999_ms,max_ms,server_cpu_s,postgres_cpu_s,msgs_per_server_cpu_s,msgs_per_total_cpu_s,"
            + "generator_cpu_pct,max_send_lag_ms,neighbour_cpu_pct,disk_bytes_per_msg,valid,saturated,problems";

    String csv() {
        return String.format(Locale.ROOT, "%s,%s,%d,%d,%.1f,%d,%.0f,%d,%.3f,%.3f,%.3f,%.3f,%.3f,%.2f,%.2f,%.0f,%.0f,%.1f,%.1f,%.1f,%.0f,%s,%s,\"%s\"",
                target, scenario, run, offered, seconds, messages, accepted(), failures, p50Ms, p90Ms, p99Ms, p999Ms, maxMs,
                serverCpu, postgresCpu, messagesPerServerCpuSecond(), messagesPerTotalCpuSecond(), generatorCpuPct, maxSendLagMs,
                neighbourCpuPct, diskBytesPerMessage, valid(), saturated(), problems().replace('"', '\''));
    }

    /**
     * Reads back a line written by {@link #csv()} (for {@code --report}); {@code neighbourColumn}: the file's header has
     * {@code neighbour_cpu_pct} (older files have no such column, or one that meant something else); {@code bytesColumn}: it
     * has {@code disk_bytes_per_msg} (right after it).
     */
    static RunResult parseCsv(String line, boolean neighbourColumn, boolean bytesColumn) {
        int quote = line.indexOf(",\"");
        String problems = line.substring(quote + 2, line.length() - 1);
        String[] f = line.substring(0, quote).split(",");
        long failures = Long.parseLong(f[7]);
        String firstFailure = failures == 0 ? "" : problems.replaceFirst("^\\d+ failed: ", "");
        return new RunResult(f[0], f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3]), Double.parseDouble(f[4]), Long.parseLong(f[5]),
                failures, firstFailure, Double.parseDouble(f[8]), Double.parseDouble(f[9]), Double.parseDouble(f[10]),
                Double.parseDouble(f[11]), Double.parseDouble(f[12]), Double.parseDouble(f[13]), Double.parseDouble(f[14]),
                Double.parseDouble(f[17]), Double.parseDouble(f[18]), problems.contains("stopped sending"),
                neighbourColumn ? Double.parseDouble(f[19]) : Double.NaN, bytesColumn ? Double.parseDouble(f[20]) : Double.NaN);
    }

    /** One line for the console while the matrix runs. */
    public String line() {
        return String.format(Locale.ROOT,
                "%-10s %-14s run %d: %,9.0f msg/s  %,6.0f disk B/msg  p50 %7.2f  p90 %7.2f  p99 %8.2f  p99.9 %8.2f  max %8.2f ms  server %5.2f cpu-s (%,.0f msg/cpu-s)%s  gen %3.0f%%  neighbours %.0f%%  %s",
                target, scenario, run, accepted(), diskBytesPerMessage, p50Ms, p90Ms, p99Ms, p999Ms, maxMs, serverCpu, messagesPerServerCpuSecond(),
                postgresCpu > 0 ? String.format(Locale.ROOT, " + pg %.2f", postgresCpu) : "", generatorCpuPct, neighbourCpuPct,
                !valid() ? "INVALID: " + problems() : disturbed() ? "DISTURBED" + (saturated() ? ", SATURATED" : "") : saturated() ? "SATURATED" : "ok");
    }
}
