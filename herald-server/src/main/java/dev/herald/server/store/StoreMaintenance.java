package dev.herald.server.store;

import dev.herald.core.store.Maintenance;
import dev.herald.core.store.StoreLimits;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One maintenance pass inside the writer's transaction, in the order {@code MemoryMessageStore} applies the
 * rules: the stream cap first (the oldest entries beyond it, the first positions, leave the stream; a user's are marked dropped),
 * then the TTL (expired entries leave their streams; an unacked recipient whose inbox entry leaves so is counted
 * as expired, which counts each once: an entry leaves once, and the cap's victims are not counted), then
 * messages past their retention are deleted with their recipients and stream entries (their idempotency key
 * with them). The cap and the TTL advance the stream's {@code trimmed_through}, which tells a reader behind it
 * that it missed something. Each step is a set-based statement over an index; the cap counts only streams
 * touched since the last pass (see {@link StreamTracker}).
 */
final class StoreMaintenance {
    /** Streams per {@code IN (...)} list when counting touched streams. */
    static final int CHUNK = 500;

    static final String COUNT_ALL = "SELECT stream, COUNT(*) FROM stream_entries GROUP BY stream HAVING COUNT(*) > ?";
    // the oldest entries are the first positions (append order)
    static final String NTH_OLDEST = "SELECT position FROM stream_entries WHERE stream = ? ORDER BY position LIMIT 1 OFFSET ?";
    static final String NEWEST_ID_THROUGH = "SELECT MAX(message_id) FROM stream_entries WHERE stream = ? AND position <= ?";
    static final String MARK_DROPPED = "UPDATE recipients SET dropped = 1 WHERE user_id = ? AND message_id IN "
            + "(SELECT message_id FROM stream_entries WHERE stream = ? AND position <= ?)";
    static final String DROP_ENTRIES = "DELETE FROM stream_entries WHERE stream = ? AND position <= ?";
    // every stream with entries has its row (made by its first append)
    static final String TRIMMED = "UPDATE streams SET trimmed_through = ? WHERE stream = ? "
            + "AND (trimmed_through IS NULL OR trimmed_through < ?)";
    static final String DELETE_EXPIRED_ENTRIES = "DELETE FROM stream_entries WHERE expires_at <= ?";
    // a recipient not dropped by the cap is in the user's inbox until the TTL takes it out: count it then, once
    static final String COUNT_EXPIRED = "UPDATE recipients SET expired_counted = 1 "
            + "WHERE expired_counted = 0 AND dropped = 0 AND status < 2 AND (message_id, user_id) IN "
            + "(SELECT message_id, substr(stream, 3) FROM stream_entries WHERE expires_at <= ? AND stream LIKE 'u:%')";
    static final String PURGE_RECIPIENTS = "DELETE FROM recipients WHERE message_id IN (SELECT id FROM messages WHERE expires_at <= ?)";
    static final String PURGE_MESSAGES = "DELETE FROM messages WHERE expires_at <= ?";

    /** The newest expired entry of each stream with expired entries. */
    static String expiredByStreamSql(SqlDialect dialect) {
        return "SELECT stream, MAX(message_id) FROM stream_entries" + dialect.indexedBy("stream_entries_expires_at")
                + " WHERE expires_at <= ? GROUP BY stream";
    }

    /** Which of {@code n} streams have more entries than the cap. */
    static String countStreamsSql(int n) {
        return "SELECT stream, COUNT(*) FROM stream_entries WHERE stream IN (" + String.join(", ", Collections.nCopies(n, "?"))
                + ") GROUP BY stream HAVING COUNT(*) > ?";
    }

    private final Connection c;
    private final SqlDialect dialect;
    private final StoreLimits limits;
    private final StreamTracker tracker;

    StoreMaintenance(SqlSession session, StoreLimits limits, StreamTracker tracker) {
        this.c = session.connection;
        this.dialect = session.dialect;
        this.limits = limits;
        this.tracker = tracker;
    }

    Maintenance run(long now) throws SQLException {
        long dropped = enforceCap();
        long expired = trimExpired(now);
        long purgeBefore = now - limits.receiptRetention().toMillis();
        update(PURGE_RECIPIENTS, purgeBefore);
        update(DELETE_EXPIRED_ENTRIES, purgeBefore); // already gone unless the retention is negative
        long purged = update(PURGE_MESSAGES, purgeBefore);
        return new Maintenance(expired, dropped, purged);
    }

    private long enforceCap() throws SQLException {
        Map<String, Long> over = overCap(tracker.takeStreamsToCheck());
        long dropped = 0;
        for (Map.Entry<String, Long> e : over.entrySet()) {
            String stream = e.getKey();
            long lastDropped;
            try (PreparedStatement s = c.prepareStatement(NTH_OLDEST)) {
                s.setString(1, stream);
                s.setLong(2, e.getValue() - limits.streamCap() - 1);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        continue;
                    }
                    lastDropped = rs.getLong(1);
                }
            }
            // trimmed_through is an id (an id cursor compares with it): the greatest id among the dropped entries
            String newestDropped;
            try (PreparedStatement s = c.prepareStatement(NEWEST_ID_THROUGH)) {
                s.setString(1, stream);
                s.setLong(2, lastDropped);
                try (ResultSet rs = s.executeQuery()) {
                    newestDropped = rs.next() ? rs.getString(1) : null;
                }
            }
            if (stream.startsWith(StoreRows.USER_PREFIX)) {
                try (PreparedStatement s = c.prepareStatement(MARK_DROPPED)) {
                    s.setString(1, stream.substring(StoreRows.USER_PREFIX.length()));
                    s.setString(2, stream);
                    s.setLong(3, lastDropped);
                    s.executeUpdate();
                }
            }
            try (PreparedStatement s = c.prepareStatement(DROP_ENTRIES)) {
                s.setString(1, stream);
                s.setLong(2, lastDropped);
                dropped += s.executeUpdate();
            }
            advanceTrimmed(Map.of(stream, newestDropped));
        }
        return dropped;
    }

    /** Streams with more entries than the cap, with their entry count; {@code streams == null} checks all. */
    private Map<String, Long> overCap(Set<String> streams) throws SQLException {
        Map<String, Long> over = new LinkedHashMap<>();
        if (streams == null) {
            try (PreparedStatement s = c.prepareStatement(COUNT_ALL)) {
                s.setLong(1, limits.streamCap());
                collect(s, over);
            }
            return over;
        }
        List<String> list = new ArrayList<>(streams);
        Collections.sort(list);
        for (int from = 0; from < list.size(); from += CHUNK) {
            List<String> chunk = list.subList(from, Math.min(list.size(), from + CHUNK));
            try (PreparedStatement s = c.prepareStatement(countStreamsSql(chunk.size()))) {
                int i = 1;
                for (String stream : chunk) {
                    s.setString(i++, stream);
                }
                s.setLong(i, limits.streamCap());
                collect(s, over);
            }
        }
        return over;
    }

    private static void collect(PreparedStatement s, Map<String, Long> into) throws SQLException {
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                into.put(rs.getString(1), rs.getLong(2));
            }
        }
    }

    /** Takes expired entries out of their streams; returns how many unacked recipients expired with them. */
    private long trimExpired(long now) throws SQLException {
        Map<String, String> newestExpired = new LinkedHashMap<>();
        try (PreparedStatement s = c.prepareStatement(expiredByStreamSql(dialect))) {
            s.setLong(1, now);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    newestExpired.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        if (newestExpired.isEmpty()) {
            return 0;
        }
        long expired = update(COUNT_EXPIRED, now);
        advanceTrimmed(newestExpired);
        if (dialect == SqlDialect.SQLITE) {
            saveHeads(new ArrayList<>(newestExpired.keySet())); // the TTL may take a stream's newest entries
        }
        update(DELETE_EXPIRED_ENTRIES, now);
        return expired;
    }

    /**
     * SQLite: writes the heads of {@code streams} into their rows before entries leave them, so that a head is never
     * lower than a position given out (see {@link SqliteStreamHeads}). The cap needs none: it keeps the newest entries.
     */
    private void saveHeads(List<String> streams) throws SQLException {
        for (int from = 0; from < streams.size(); from += CHUNK) {
            List<String> chunk = streams.subList(from, Math.min(streams.size(), from + CHUNK));
            try (PreparedStatement s = c.prepareStatement(SqliteStreamHeads.saveHeadsSql(chunk.size()))) {
                for (int i = 0; i < chunk.size(); i++) {
                    s.setString(i + 1, chunk.get(i));
                }
                s.executeUpdate();
            }
        }
    }

    private void advanceTrimmed(Map<String, String> throughByStream) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(TRIMMED)) {
            for (Map.Entry<String, String> e : throughByStream.entrySet()) {
                s.setString(1, e.getValue());
                s.setString(2, e.getKey());
                s.setString(3, e.getValue());
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    private long update(String sql, long bound) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setLong(1, bound);
            return s.executeUpdate();
        }
    }
}
