package dev.herald.bench.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * PostgreSQL's write counters for the cluster benchmark, read with {@code psql} (herald-bench has no PostgreSQL
 * driver, and one query per window edge does not need one): the WAL position (bytes, exact and immediate, but for
 * the whole PostgreSQL server), and the benchmark database's rows written and commits from {@code pg_stat_database}
 * (each backend flushes them at most once a second, so a window's figure is off by up to a second's worth).
 */
final class PgStats {
    /** One reading; every field -1 when psql could not answer. */
    record Reading(long walBytes, long rowsWritten, long commits) {
        static final Reading NONE = new Reading(-1, -1, -1);

        boolean known() {
            return walBytes >= 0;
        }
    }

    private final String url;

    /** {@code url}: the benchmark database, e.g. postgresql://postgres@127.0.0.1:5432/herald_cluster_bench; null: none. */
    PgStats(String url) {
        this.url = url;
    }

    Reading read() {
        if (url == null || url.isBlank()) {
            return Reading.NONE;
        }
        try {
            Process p = new ProcessBuilder("psql", url, "-qtAX", "-c",
                    "select pg_current_wal_lsn() - '0/0'::pg_lsn, tup_inserted + tup_updated + tup_deleted, xact_commit"
                            + " from pg_stat_database where datname = current_database()")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return Reading.NONE;
            }
            return parse(out);
        } catch (IOException e) {
            return Reading.NONE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Reading.NONE;
        }
    }

    /** psql's unaligned line {@code wal|rows|commits}. */
    static Reading parse(String line) {
        String[] f = line.split("\\|");
        if (f.length != 3) {
            return Reading.NONE;
        }
        try {
            return new Reading((long) Double.parseDouble(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]));
        } catch (NumberFormatException e) {
            return Reading.NONE;
        }
    }
}
