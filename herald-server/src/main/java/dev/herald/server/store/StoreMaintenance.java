package dev.herald.server.store;

import dev.herald.core.message.MessageIds;
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
import java.util.function.IntFunction;

/**
 * One maintenance pass inside the writer's transaction, in the order {@code MemoryMessageStore} applies the
 * rules: the stream cap first (the oldest entries beyond it, the first positions, leave the stream; a user's are marked dropped),
 * then the TTL (expired entries leave their streams; an unacked recipient whose inbox entry leaves so is counted
 * as expired, which counts each once: an entry leaves once, and the cap's victims are not counted), then
 * messages past their retention are deleted with their recipients (their idempotency key with them). The cap and
 * the TTL advance the stream's {@code trimmed_through}, which tells a reader behind it that it missed something.
 * The cap counts only streams touched since the last pass (see {@link StreamTracker}).
 *
 * <p>Since V6 nothing is indexed by expiry (those two indexes cost every message about 60 B of pages), so neither
 * the TTL nor the purge searches by it; both walk what is indexed anyway, a bounded slice per pass:
 * <ul>
 * <li>The TTL takes each stream's <b>expired front</b>: the entries before its first live one (positions are commit
 * order, and most messages share one TTL, so entries expire front first). It visits {@link #STREAMS_PER_PASS}
 * streams per pass, in name order from where the last pass stopped, going on from the first after the last. An entry that
 * expires behind a live one stays on disk until the live one expires; readers never see it either way (every read
 * filters on {@code expires_at}, and a position missing from a page is a gap).
 * <li>The purge walks messages in id order (ids begin with their publish time, and a message expires after it was
 * published): only ids taken before the purge's bound can be due, and it reads them {@link #PURGE_WINDOW} at a time
 * from where the last pass stopped, at most {@link #PURGE_SCAN_PER_PASS} per pass, starting over when it reaches the
 * bound. A message with a longer TTL is read again on each round until it is due.
 * </ul>
 */
final class StoreMaintenance {
    /** Streams per {@code IN (...)} list when counting touched streams. */
    static final int CHUNK = 500;

    // every stream with entries has its row (made by its first append)
    static final String TRIMMED = "UPDATE streams SET trimmed_through = ? WHERE stream = ? "
            + "AND (trimmed_through IS NULL OR trimmed_through < ?)";
    /** How many streams the TTL looks at per pass (one index probe each when nothing expired). */
    static final int STREAMS_PER_PASS = 5_000;
    /** Entries read per statement when walking one stream's expired front. */
    static final int FRONT_PAGE_SIZE = 200;
    /** Messages the purge reads per statement, and at most per pass. */
    static final int PURGE_WINDOW = 10_000;
    static final int PURGE_SCAN_PER_PASS = 200_000;

    /** The id that ends the purge's window: the first id past {@link #PURGE_WINDOW} ids from the cursor, below the bound. */
    static final String PURGE_WINDOW_END = "SELECT id FROM messages WHERE id >= ? AND id < ? ORDER BY id LIMIT 1 OFFSET ?";
    static final String PURGE_RECIPIENTS = "DELETE FROM recipients WHERE message_id IN "
            + "(SELECT id FROM messages WHERE id >= ? AND id < ? AND expires_at <= ?)";
    static final String PURGE_MESSAGES = "DELETE FROM messages WHERE id >= ? AND id < ? AND expires_at <= ?";

    /**
     * The entries of the stream named by the next parameter: an entry holds its stream's name on PostgreSQL, its id on
     * SQLite (V6), which the subquery finds through {@code streams}' unique name (one probe, constant for the statement).
     */
    private static String entriesOf(SqlDialect d) {
        return d == SqlDialect.SQLITE ? "stream = (SELECT id FROM streams WHERE stream = ?)" : "stream = ?";
    }

    /** What {@code stream_entries.stream} holds of a {@code streams} row. */
    private static String keyColumn(SqlDialect d) {
        return d == SqlDialect.SQLITE ? "id" : "stream";
    }

    /**
     * The streams, by name, whose positions span more than the cap (last − first + 1): {@code n} named ones, or every
     * stream when {@code n} is 0 (the first pass after a start). Two index probes per stream where counting read every
     * entry of every stream written since the last pass (under load to many users, the whole table every pass, with
     * the writer's commits waiting: 0.8–1.8 s on PostgreSQL). Positions are unique in a stream, so its span is at least
     * its count: a stream over the cap is never missed, and only these candidates are counted exactly
     * ({@link #countStreamsSql}). A stream without entries spans nothing (NULL compares false).
     */
    static String spanOverCapSql(SqlDialect d, int n) {
        String key = "s." + keyColumn(d);
        return "SELECT s.stream FROM streams s WHERE "
                + (n == 0 ? "" : "s.stream IN (" + String.join(", ", Collections.nCopies(n, "?")) + ") AND ")
                + "(SELECT MAX(e.position) FROM stream_entries e WHERE e.stream = " + key + ")"
                + " - (SELECT MIN(e.position) FROM stream_entries e WHERE e.stream = " + key + ") + 1 > ?";
    }

    /** Which of {@code n} streams, by name, have more entries than the cap. */
    static String countStreamsSql(SqlDialect d, int n) {
        String names = String.join(", ", Collections.nCopies(n, "?"));
        return "SELECT (SELECT s.stream FROM streams s WHERE s." + keyColumn(d) + " = e.stream), COUNT(*) FROM stream_entries e"
                + " WHERE e.stream IN (" + (d == SqlDialect.SQLITE ? "SELECT id FROM streams WHERE stream IN (" + names + ")" : names)
                + ") GROUP BY e.stream HAVING COUNT(*) > ?";
    }

    // the oldest entries are the first positions (append order)
    static String nthOldestSql(SqlDialect d) {
        return "SELECT position FROM stream_entries WHERE " + entriesOf(d) + " ORDER BY position LIMIT 1 OFFSET ?";
    }

    static String newestIdThroughSql(SqlDialect d) {
        return "SELECT MAX(message_id) FROM stream_entries WHERE " + entriesOf(d) + " AND position <= ?";
    }

    /**
     * Marks the user's recipients of the stream's entries through a position dropped: {@code solo}, those of messages to
     * the user alone, whose status is in the message row (V7); else the recipients rows. Both run, with the same parameters.
     */
    static String markDroppedSql(SqlDialect d, boolean solo) {
        return (solo ? "UPDATE messages SET dropped = 1 WHERE recipient = ? AND id IN "
                : "UPDATE recipients SET dropped = 1 WHERE user_id = ? AND message_id IN ")
                + "(SELECT message_id FROM stream_entries WHERE " + entriesOf(d) + " AND position <= ?)";
    }

    static String dropEntriesSql(SqlDialect d) {
        return "DELETE FROM stream_entries WHERE " + entriesOf(d) + " AND position <= ?";
    }

    /** The next streams after the TTL's cursor, with the expiry of each one's first entry (NULL: no entries). */
    static String streamFrontsSql(SqlDialect d) {
        return "SELECT s.stream, (SELECT e.expires_at FROM stream_entries e WHERE e.stream = s." + keyColumn(d)
                + " ORDER BY e.position LIMIT 1) FROM streams s WHERE s.stream > ? ORDER BY s.stream LIMIT ?";
    }

    static String frontPageSql(SqlDialect d) {
        return "SELECT position, message_id, expires_at FROM stream_entries WHERE " + entriesOf(d)
                + " AND position > ? ORDER BY position LIMIT ?";
    }

    // a recipient not dropped by the cap is in the user's inbox until the TTL takes it out: count it then, once
    // (solo: of messages to the user alone, as in markDroppedSql)
    static String countExpiredSql(SqlDialect d, boolean solo) {
        return (solo ? "UPDATE messages SET expired_counted = 1 WHERE recipient = ? AND expired_counted = 0 AND dropped = 0"
                + " AND status < 2 AND id IN "
                : "UPDATE recipients SET expired_counted = 1 "
                + "WHERE user_id = ? AND expired_counted = 0 AND dropped = 0 AND status < 2 AND message_id IN ")
                + "(SELECT message_id FROM stream_entries WHERE " + entriesOf(d) + " AND position <= ?)";
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
        long purged = purge(now - limits.receiptRetention().toMillis());
        return new Maintenance(expired, dropped, purged);
    }

    private long enforceCap() throws SQLException {
        Map<String, Long> over = overCap(tracker.takeStreamsToCheck());
        long dropped = 0;
        for (Map.Entry<String, Long> e : over.entrySet()) {
            String stream = e.getKey();
            long lastDropped;
            try (PreparedStatement s = c.prepareStatement(nthOldestSql(dialect))) {
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
            try (PreparedStatement s = c.prepareStatement(newestIdThroughSql(dialect))) {
                s.setString(1, stream);
                s.setLong(2, lastDropped);
                try (ResultSet rs = s.executeQuery()) {
                    newestDropped = rs.next() ? rs.getString(1) : null;
                }
            }
            if (stream.startsWith(StoreRows.USER_PREFIX)) {
                for (boolean solo : new boolean[] {true, false}) {
                    try (PreparedStatement s = c.prepareStatement(markDroppedSql(dialect, solo))) {
                        s.setString(1, stream.substring(StoreRows.USER_PREFIX.length()));
                        s.setString(2, stream);
                        s.setLong(3, lastDropped);
                        s.executeUpdate();
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement(dropEntriesSql(dialect))) {
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
        inChunks(spanningOverCap(streams), n -> countStreamsSql(dialect, n), rs -> over.put(rs.getString(1), rs.getLong(2)));
        return over;
    }

    /** Of {@code streams} ({@code null}: all), those whose positions span more than the cap, sorted by name. */
    private List<String> spanningOverCap(Set<String> streams) throws SQLException {
        List<String> candidates = new ArrayList<>();
        if (streams == null) {
            try (PreparedStatement s = c.prepareStatement(spanOverCapSql(dialect, 0))) {
                s.setLong(1, limits.streamCap());
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        candidates.add(rs.getString(1));
                    }
                }
            }
        } else {
            List<String> list = new ArrayList<>(streams);
            Collections.sort(list);
            inChunks(list, n -> spanOverCapSql(dialect, n), rs -> candidates.add(rs.getString(1)));
        }
        Collections.sort(candidates);
        return candidates;
    }

    /** One row of a cap query's answer. */
    private interface Row {
        void read(ResultSet rs) throws SQLException;
    }

    /**
     * Runs a cap query over {@code streams} in chunks of {@link #CHUNK} names: {@code sql} makes the statement for a
     * chunk's size, bound with the chunk's names then the cap; every row of each answer goes to {@code row}.
     */
    private void inChunks(List<String> streams, IntFunction<String> sql, Row row) throws SQLException {
        for (int from = 0; from < streams.size(); from += CHUNK) {
            List<String> chunk = streams.subList(from, Math.min(streams.size(), from + CHUNK));
            try (PreparedStatement s = c.prepareStatement(sql.apply(chunk.size()))) {
                int i = 1;
                for (String stream : chunk) {
                    s.setString(i++, stream);
                }
                s.setLong(i, limits.streamCap());
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        row.read(rs);
                    }
                }
            }
        }
    }

    /** Takes the expired fronts of the next streams out; returns how many unacked recipients expired with them. */
    private long trimExpired(long now) throws SQLException {
        List<String> due = streamsWithAnExpiredFront(now);
        Map<String, Long> cutAt = new LinkedHashMap<>();
        Map<String, String> newestExpired = new LinkedHashMap<>();
        try (PreparedStatement page = c.prepareStatement(frontPageSql(dialect))) {
            for (String stream : due) {
                expiredFront(page, stream, now, cutAt, newestExpired);
            }
        }
        if (cutAt.isEmpty()) {
            return 0;
        }
        long expired = 0;
        for (boolean solo : new boolean[] {true, false}) {
            try (PreparedStatement s = c.prepareStatement(countExpiredSql(dialect, solo))) {
                for (Map.Entry<String, Long> e : cutAt.entrySet()) {
                    if (e.getKey().startsWith(StoreRows.USER_PREFIX)) {
                        s.setString(1, e.getKey().substring(StoreRows.USER_PREFIX.length()));
                        s.setString(2, e.getKey());
                        s.setLong(3, e.getValue());
                        expired += s.executeUpdate();
                    }
                }
            }
        }
        advanceTrimmed(newestExpired);
        if (dialect == SqlDialect.SQLITE) {
            saveHeads(new ArrayList<>(cutAt.keySet())); // the TTL may take a stream's newest entries
        }
        try (PreparedStatement s = c.prepareStatement(dropEntriesSql(dialect))) {
            for (Map.Entry<String, Long> e : cutAt.entrySet()) {
                s.setString(1, e.getKey());
                s.setLong(2, e.getValue());
                s.addBatch();
            }
            s.executeBatch();
        }
        return expired;
    }

    /**
     * The streams whose first entry has expired among the next {@link #STREAMS_PER_PASS} after the cursor, going on from
     * the first stream when the last one is passed (never beyond where this pass started); moves the cursor.
     */
    private List<String> streamsWithAnExpiredFront(long now) throws SQLException {
        List<String> due = new ArrayList<>();
        String start = tracker.ttlCursor();
        try (PreparedStatement s = c.prepareStatement(streamFrontsSql(dialect))) {
            String[] last = {start};
            int seen = visitFronts(s, start, STREAMS_PER_PASS, null, now, due, last);
            if (seen == STREAMS_PER_PASS) {
                tracker.ttlCursor(last[0]);
                return due;
            }
            // past the last stream: on from the first, up to where this pass started
            int left = STREAMS_PER_PASS - seen;
            int wrapped = start.isEmpty() ? 0 : visitFronts(s, "", left, start, now, due, last);
            tracker.ttlCursor(start.isEmpty() || wrapped < left ? "" : last[0]);
        }
        // a database whose order differs from Java's (a PostgreSQL collation) may name a stream twice: trim it once
        return new ArrayList<>(new java.util.LinkedHashSet<>(due));
    }

    /**
     * Reads up to {@code limit} streams after {@code after}, adding those whose first entry expired by {@code now} to
     * {@code due}, none beyond {@code upTo} ({@code null}: no bound); {@code last[0]} becomes the last one read.
     * Returns how many it read, counting those beyond the bound, so fewer than {@code limit} means the end was passed.
     */
    private static int visitFronts(PreparedStatement s, String after, int limit, String upTo, long now, List<String> due,
                                   String[] last) throws SQLException {
        s.setString(1, after);
        s.setInt(2, limit);
        int seen = 0;
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                seen++;
                String stream = rs.getString(1);
                if (upTo != null && stream.compareTo(upTo) > 0) {
                    return limit - 1; // came round to where the pass started: the whole table was read
                }
                last[0] = stream;
                long front = rs.getLong(2);
                if (!rs.wasNull() && front <= now) {
                    due.add(stream);
                }
            }
        }
        return seen;
    }

    /** Records the last position of {@code stream}'s expired front and the greatest id in it, if it has one. */
    private static void expiredFront(PreparedStatement s, String stream, long now, Map<String, Long> cutAt,
                                     Map<String, String> newestExpired) throws SQLException {
        long after = 0;
        String newest = null;
        boolean more = true;
        while (more) {
            s.setString(1, stream);
            s.setLong(2, after);
            s.setInt(3, FRONT_PAGE_SIZE);
            int rows = 0;
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows++;
                    if (rs.getLong(3) > now) {
                        more = false; // the first live entry ends the front
                        break;
                    }
                    after = rs.getLong(1);
                    String id = rs.getString(2);
                    newest = newest == null || id.compareTo(newest) > 0 ? id : newest;
                }
            }
            more &= rows == FRONT_PAGE_SIZE;
        }
        if (newest != null) {
            cutAt.put(stream, after);
            newestExpired.put(stream, newest);
        }
    }

    /**
     * Deletes messages past their retention, with their recipients, from the purge's next windows; returns how many.
     * Their stream entries left with the TTL, or will (an entry without its message is never read: reads join them).
     */
    private long purge(long purgeBefore) throws SQLException {
        // an id taken after purgeBefore belongs to a message published after it, which cannot be due yet
        String bound = MessageIds.firstAt(purgeBefore + 1);
        String from = tracker.purgeCursor();
        long purged = 0;
        for (int scanned = 0; scanned < PURGE_SCAN_PER_PASS; scanned += PURGE_WINDOW) {
            String end = bound;
            try (PreparedStatement s = c.prepareStatement(PURGE_WINDOW_END)) {
                s.setString(1, from);
                s.setString(2, bound);
                s.setInt(3, PURGE_WINDOW);
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) {
                        end = rs.getString(1);
                    }
                }
            }
            update(PURGE_RECIPIENTS, from, end, purgeBefore);
            purged += update(PURGE_MESSAGES, from, end, purgeBefore);
            if (end.equals(bound)) {
                from = ""; // reached the bound: the next pass starts over from the oldest
                break;
            }
            from = end;
        }
        tracker.purgeCursor(from);
        return purged;
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

    private long update(String sql, String from, String to, long bound) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, from);
            s.setString(2, to);
            s.setLong(3, bound);
            return s.executeUpdate();
        }
    }
}
