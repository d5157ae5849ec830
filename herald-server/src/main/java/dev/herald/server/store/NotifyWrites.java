package dev.herald.server.store;

import dev.herald.core.notify.Contacts;
import dev.herald.core.notify.Destination;
import dev.herald.core.notify.NotifyJob;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The writes of {@code NotifyStore} inside the writer's transaction, on its session (statements are prepared
 * once and reused); completions are batched apart, see {@link JobCompletions}. Every statement that changes a job says in its {@code WHERE} which state it expects, so a
 * change another node committed first (an ack's cancel, a retry from the dead letters) wins and this one
 * reports that it did not apply. Used by the writer thread only.
 */
final class NotifyWrites {
    static final String RETRY_DEAD = "UPDATE notify_jobs SET state = 'pending', due_at = ?, deadline = ?, attempt_count = 0, "
            + "lease_until = 0 WHERE id = ? AND state = 'dead'";
    static final String DELETE_DEAD = "DELETE FROM notify_jobs WHERE id = ? AND state = 'dead'";
    static final String PURGE_FINISHED = "DELETE FROM notify_jobs WHERE state IN ('sent', 'cancelled') AND due_at < ? AND created_at < ?";
    static final String DELETE_CONTACTS = "DELETE FROM contacts WHERE user_id = ?";
    static final String INSERT_CONTACT = "INSERT INTO contacts (user_id, channel, address, secret, disabled_reason, updated_at) "
            + "VALUES (?, ?, ?, ?, NULL, ?)";
    static final String DISABLE_CONTACT = "UPDATE contacts SET disabled_reason = ? WHERE user_id = ? AND channel = ?";

    /**
     * Leases the due jobs of one channel in one statement: the oldest due first, skipping live leases. On
     * PostgreSQL the candidates are locked {@code FOR UPDATE SKIP LOCKED}, so nodes claiming at the same time
     * take different jobs instead of waiting for each other, and a job another node leased and committed is
     * re-checked against its new lease; on SQLite the single writer (and the file's write lock across
     * processes) serialises claims. The {@code WHERE} repeats the partial index's, so "nothing due" is one probe.
     */
    static String claimSql(SqlDialect dialect) {
        return "UPDATE notify_jobs SET lease_until = ? WHERE id IN (SELECT id FROM notify_jobs"
                + " WHERE channel = ? AND " + NotifyRows.LIVE + " AND due_at <= ? AND lease_until <= ?"
                + " ORDER BY due_at, id LIMIT ?" + dialect.forUpdate(true) + ") RETURNING " + NotifyRows.JOB_COLUMNS;
    }

    /** Cancels a user's fallbacks of a message, locking them in id order as {@link JobCompletions} does (no deadlock). */
    static String cancelFallbacksSql(SqlDialect dialect) {
        return "UPDATE notify_jobs SET state = 'cancelled', lease_until = 0 WHERE id IN (SELECT id FROM notify_jobs"
                + " WHERE message_id = ? AND user_id = ? AND state = 'waiting_ack' ORDER BY id" + dialect.forUpdate(false) + ")"
                + " AND state = 'waiting_ack'";
    }

    private final SqlSession session;

    NotifyWrites(SqlSession session) {
        this.session = session;
    }

    /** Inserts jobs as one batch; none for an empty list (appends without deliveries cost no statement). */
    void insert(List<NotifyJob> jobs) throws SQLException {
        if (jobs.isEmpty()) {
            return;
        }
        PreparedStatement insert = session.prepare(NotifyRows.INSERT_JOB);
        for (NotifyJob job : jobs) {
            NotifyRows.bind(insert, job);
            insert.addBatch();
        }
        insert.executeBatch();
    }

    List<NotifyJob> claimDue(String channel, long now, long leaseUntil, int limit) throws SQLException {
        PreparedStatement claim = session.prepare(claimSql(session.dialect));
        claim.setLong(1, leaseUntil);
        claim.setString(2, channel);
        claim.setLong(3, now);
        claim.setLong(4, now);
        claim.setInt(5, limit);
        List<NotifyJob> claimed = new ArrayList<>();
        try (ResultSet rs = claim.executeQuery()) {
            while (rs.next()) {
                claimed.add(NotifyRows.job(rs));
            }
        }
        // RETURNING comes in no particular order
        claimed.sort(Comparator.comparingLong(NotifyJob::dueAt).thenComparing(NotifyJob::id));
        return claimed;
    }

    int cancelFallbacks(String messageId, String userId) throws SQLException {
        PreparedStatement cancel = session.prepare(cancelFallbacksSql(session.dialect));
        cancel.setString(1, messageId);
        cancel.setString(2, userId);
        return cancel.executeUpdate();
    }

    boolean retryDead(String jobId, long now, long deadline) throws SQLException {
        PreparedStatement retry = session.prepare(RETRY_DEAD);
        retry.setLong(1, now);
        retry.setLong(2, deadline);
        retry.setString(3, jobId);
        return retry.executeUpdate() == 1;
    }

    boolean deleteDead(String jobId) throws SQLException {
        PreparedStatement delete = session.prepare(DELETE_DEAD);
        delete.setString(1, jobId);
        return delete.executeUpdate() == 1;
    }

    int purgeFinished(long before) throws SQLException {
        PreparedStatement purge = session.prepare(PURGE_FINISHED);
        purge.setLong(1, before);
        purge.setLong(2, before);
        return purge.executeUpdate();
    }

    /** Replaces the rows of a user: written again, every channel is usable again. */
    void putContacts(String userId, Contacts contacts) throws SQLException {
        deleteContacts(userId);
        if (contacts.destinations().isEmpty()) {
            return;
        }
        PreparedStatement insert = session.prepare(INSERT_CONTACT);
        for (Map.Entry<String, Destination> e : contacts.destinations().entrySet()) {
            insert.setString(1, userId);
            insert.setString(2, e.getKey());
            insert.setString(3, e.getValue().address());
            insert.setString(4, e.getValue().secret());
            insert.setLong(5, contacts.updatedAt());
            insert.addBatch();
        }
        insert.executeBatch();
    }

    boolean deleteContacts(String userId) throws SQLException {
        PreparedStatement delete = session.prepare(DELETE_CONTACTS);
        delete.setString(1, userId);
        return delete.executeUpdate() > 0;
    }

    void disableContact(String userId, String channel, String reason) throws SQLException {
        PreparedStatement disable = session.prepare(DISABLE_CONTACT);
        disable.setString(1, reason);
        disable.setString(2, userId);
        disable.setString(3, channel);
        disable.executeUpdate();
    }
}
