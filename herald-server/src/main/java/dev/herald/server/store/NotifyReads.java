package dev.herald.server.store;

import dev.herald.core.notify.Contacts;
import dev.herald.core.notify.DeadLetterQuery;
import dev.herald.core.notify.Destination;
import dev.herald.core.notify.NotifyJob;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The reads of {@code NotifyStore}, each one indexed query on a reader connection. Stateless; callers run it
 * on reader threads.
 */
final class NotifyReads {
    static final String JOBS_OF = "SELECT " + NotifyRows.JOB_COLUMNS + " FROM notify_jobs WHERE message_id = ? ORDER BY id";
    static final String JOB = "SELECT " + NotifyRows.JOB_COLUMNS + " FROM notify_jobs WHERE id = ?";
    static final String CONTACTS = "SELECT channel, address, secret, disabled_reason, updated_at FROM contacts WHERE user_id = ?";

    private NotifyReads() { }

    /** Dead letters with only the filters the query sets (so each combination gets its own plan), newest first. */
    static String deadLettersSql(DeadLetterQuery q) {
        StringBuilder sql = deadWhere(new StringBuilder("SELECT ").append(NotifyRows.JOB_COLUMNS), q.channel(), q.userId(), q.messageId());
        if (q.beforeId() != null) {
            sql.append(" AND id < ?");
        }
        return sql.append(" ORDER BY id DESC LIMIT ?").toString();
    }

    /**
     * The listing's count: the same {@code state = 'dead'} condition, so unfiltered it reads only the partial index
     * {@code notify_jobs_dead} (an index-only count on SQLite; PostgreSQL's plan depends on its visibility map).
     */
    static String countDeadLettersSql(String channel, String userId, String messageId) {
        return deadWhere(new StringBuilder("SELECT COUNT(*)"), channel, userId, messageId).toString();
    }

    private static StringBuilder deadWhere(StringBuilder sql, String channel, String userId, String messageId) {
        sql.append(" FROM notify_jobs WHERE state = 'dead'");
        if (channel != null) {
            sql.append(" AND channel = ?");
        }
        if (userId != null) {
            sql.append(" AND user_id = ?");
        }
        if (messageId != null) {
            sql.append(" AND message_id = ?");
        }
        return sql;
    }

    static List<NotifyJob> jobsOf(Connection c, String messageId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(JOBS_OF)) {
            s.setString(1, messageId);
            return jobs(s);
        }
    }

    static Optional<NotifyJob> job(Connection c, String jobId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(JOB)) {
            s.setString(1, jobId);
            List<NotifyJob> found = jobs(s);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        }
    }

    static List<NotifyJob> deadLetters(Connection c, DeadLetterQuery q) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(deadLettersSql(q))) {
            int i = 1;
            for (String filter : new String[] {q.channel(), q.userId(), q.messageId(), q.beforeId()}) {
                if (filter != null) {
                    s.setString(i++, filter);
                }
            }
            s.setInt(i, q.limit());
            return jobs(s);
        }
    }

    static long countDeadLetters(Connection c, String channel, String userId, String messageId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(countDeadLettersSql(channel, userId, messageId))) {
            int i = 1;
            for (String filter : new String[] {channel, userId, messageId}) {
                if (filter != null) {
                    s.setString(i++, filter);
                }
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static Optional<Contacts> contacts(Connection c, String userId) throws SQLException {
        Map<String, Destination> destinations = new HashMap<>();
        Map<String, String> disabled = new HashMap<>();
        long updatedAt = 0;
        try (PreparedStatement s = c.prepareStatement(CONTACTS)) {
            s.setString(1, userId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    String channel = rs.getString(1);
                    destinations.put(channel, new Destination(channel, rs.getString(2), rs.getString(3)));
                    if (rs.getString(4) != null) {
                        disabled.put(channel, rs.getString(4));
                    }
                    updatedAt = Math.max(updatedAt, rs.getLong(5)); // all rows of a user are written together
                }
            }
        }
        return destinations.isEmpty() ? Optional.empty() : Optional.of(new Contacts(destinations, disabled, updatedAt));
    }

    private static List<NotifyJob> jobs(PreparedStatement s) throws SQLException {
        List<NotifyJob> jobs = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                jobs.add(NotifyRows.job(rs));
            }
        }
        return jobs;
    }
}
