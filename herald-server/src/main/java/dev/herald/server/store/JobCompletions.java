package dev.herald.server.store;

import dev.herald.core.notify.Attempt;
import dev.herald.core.notify.JobState;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code NotifyStore#complete} calls of one group commit, applied together: one {@code SELECT} reads (and on
 * PostgreSQL locks) the attempts of every job concerned, one batch of {@code UPDATE}s writes them back. The
 * dispatcher completes every delivery it makes, so done one by one (a read and a write each) completions would
 * take the writer's time from the appends. Rows are read and updated in id order, so two nodes completing
 * overlapping jobs lock them in one order (no deadlock). A job completed twice in one group is applied in call
 * order: the second call waits for a batch of its own. Used by the writer thread only.
 */
final class JobCompletions {
    /** IN-list sizes: a short list is padded to the next one, so a few statements are prepared, not one per size. */
    static final int[] SIZES = {1, 4, 16, 64, 256};
    static final String UPDATE = "UPDATE notify_jobs SET state = ?, due_at = ?, last_error = ?, attempts = ?, "
            + "attempt_count = ?, lease_until = 0 WHERE id = ? AND " + NotifyRows.LIVE;

    /** The live jobs among {@code n} ids, with their attempts; locked on PostgreSQL until the transaction ends. */
    static String readSql(SqlDialect dialect, int n) {
        return "SELECT id, attempts, attempt_count FROM notify_jobs WHERE id IN (" + String.join(", ", Collections.nCopies(n, "?"))
                + ") AND " + NotifyRows.LIVE + " ORDER BY id" + dialect.forUpdate(false);
    }

    /** One queued call; {@link #applied} is known after {@link #flush()}. */
    static final class Pending {
        final String jobId;
        final Attempt attempt;
        final JobState next;
        final long nextDueAt;
        final String lastError;
        boolean applied;

        Pending(String jobId, Attempt attempt, JobState next, long nextDueAt, String lastError) {
            this.jobId = jobId;
            this.attempt = attempt;
            this.next = next;
            this.nextDueAt = nextDueAt;
            this.lastError = lastError;
        }
    }

    private final SqlSession session;
    private final List<Pending> pending = new ArrayList<>();
    private final Set<String> pendingIds = new HashSet<>();

    JobCompletions(SqlSession session) {
        this.session = session;
    }

    Pending add(String jobId, Attempt attempt, JobState next, long nextDueAt, String lastError) throws SQLException {
        if (pendingIds.contains(jobId)) {
            flush();
        }
        Pending p = new Pending(jobId, attempt, next, nextDueAt, lastError);
        pending.add(p);
        pendingIds.add(jobId);
        return p;
    }

    void flush() throws SQLException {
        if (pending.isEmpty()) {
            return;
        }
        List<Pending> batch = new ArrayList<>(pending);
        batch.sort(Comparator.comparing(p -> p.jobId));
        pending.clear();
        pendingIds.clear();

        Map<String, Current> current = read(batch);
        PreparedStatement update = null;
        List<Pending> updated = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            Current c = current.get(p.jobId);
            if (c == null) {
                continue; // cancelled meanwhile, final, dead or deleted: not applied
            }
            update = update == null ? session.prepare(UPDATE) : update;
            update.setString(1, p.next.wireName());
            update.setLong(2, p.nextDueAt);
            update.setString(3, p.lastError);
            if (p.attempt == null) {
                update.setString(4, c.attempts);
                update.setInt(5, c.count);
            } else {
                update.setString(4, NotifyRows.encodeAttempts(NotifyRows.appended(NotifyRows.decodeAttempts(c.attempts), p.attempt)));
                update.setInt(5, c.count + 1);
            }
            update.setString(6, p.jobId);
            update.addBatch();
            updated.add(p);
        }
        if (update != null) {
            int[] counts = update.executeBatch();
            for (int i = 0; i < updated.size(); i++) {
                updated.get(i).applied = counts[i] > 0;
            }
        }
    }

    private record Current(String attempts, int count) { }

    private Map<String, Current> read(List<Pending> batch) throws SQLException {
        Map<String, Current> current = new HashMap<>();
        int from = 0;
        while (from < batch.size()) {
            int n = size(batch.size() - from);
            int take = Math.min(n, batch.size() - from);
            PreparedStatement read = session.prepare(readSql(session.dialect, n));
            for (int i = 0; i < n; i++) {
                read.setString(i + 1, batch.get(from + Math.min(i, take - 1)).jobId); // padded with the last id
            }
            try (ResultSet rs = read.executeQuery()) {
                while (rs.next()) {
                    current.put(rs.getString(1), new Current(rs.getString(2), rs.getInt(3)));
                }
            }
            from += take;
        }
        return current;
    }

    /** The smallest IN-list size that holds {@code left} ids, or the largest. */
    private static int size(int left) {
        for (int s : SIZES) {
            if (s >= left) {
                return s;
            }
        }
        return SIZES[SIZES.length - 1];
    }
}
