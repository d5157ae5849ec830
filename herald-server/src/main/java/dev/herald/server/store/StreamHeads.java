package dev.herald.server.store;

import dev.herald.core.store.StreamPosition;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Hands out stream positions inside the writer's transaction: one upsert per chunk of streams advances each
 * stream's {@code head} by the number of entries the group adds to it (creating the stream with a new epoch when it
 * is missing) and returns the new head and the epoch. The rows stay locked until the transaction ends, so writers
 * on other nodes (PostgreSQL) wait for each other per stream and positions stay gap-free; streams are locked in
 * name order (an array upsert inserts in array order), so two writers never wait for each other crosswise. A failed
 * transaction rolls the heads back with everything else. Stateless; the caller's session is the writer's.
 *
 * <p>SQLite's upserts come in the fixed sizes of {@link MultiRowInserts#CHUNKS}, so the writer's session prepares each
 * once and reuses it. PostgreSQL takes every stream of the group in one array upsert of constant text.
 */
final class StreamHeads {
    static String advanceSql(int n) {
        return "INSERT INTO streams (stream, epoch, head) VALUES " + String.join(", ", Collections.nCopies(n, "(?, ?, ?)"))
                + " ON CONFLICT (stream) DO UPDATE SET head = streams.head + excluded.head RETURNING stream, epoch, head";
    }

    private StreamHeads() { }

    /** PostgreSQL: every stream of the group in one statement of constant text (see {@link ArrayInserts}). */
    static final String ADVANCE_ALL = ArrayInserts.insertSql("streams", "stream, epoch, head",
            ArrayInserts.Type.TEXT, ArrayInserts.Type.TEXT, ArrayInserts.Type.BIGINT)
            + " ON CONFLICT (stream) DO UPDATE SET head = streams.head + excluded.head RETURNING stream, epoch, head";

    /**
     * Advances each stream by its count; returns, per stream, the first position it got (the rest follow it
     * one by one) with the stream's epoch. SQLite: one upsert per chunk (no round trips to save); PostgreSQL: one
     * array upsert for all of them. Both statements are kept in the writer's session.
     */
    static Map<String, StreamPosition> advance(SqlSession session, Map<String, Integer> countByStream) throws SQLException {
        List<String> streams = new ArrayList<>(countByStream.keySet());
        Collections.sort(streams);
        Map<String, StreamPosition> first = new HashMap<>(streams.size() * 2);
        if (session.dialect == SqlDialect.POSTGRESQL) {
            ArrayInserts rows = new ArrayInserts(ArrayInserts.Type.TEXT, ArrayInserts.Type.TEXT, ArrayInserts.Type.BIGINT);
            for (String stream : streams) {
                rows.add(stream, StreamPosition.newEpoch(), (long) countByStream.get(stream));
            }
            PreparedStatement s = session.prepare(ADVANCE_ALL);
            rows.bind(session.connection, s);
            read(s, countByStream, first);
            if (first.size() < streams.size()) {
                throw new SQLException("the streams upsert returned " + first.size() + " of " + streams.size() + " streams");
            }
            return first;
        }
        for (int from = 0; from < streams.size(); ) {
            int size = MultiRowInserts.chunkSize(streams.size() - from);
            List<String> chunk = streams.subList(from, from + size);
            PreparedStatement s = session.prepare(advanceSql(size));
            int i = 1;
            for (String stream : chunk) {
                s.setString(i++, stream);
                s.setString(i++, StreamPosition.newEpoch()); // used only if the stream is new: each makes its own
                s.setLong(i++, countByStream.get(stream));
            }
            read(s, countByStream, first);
            from += size;
            if (first.size() < from) {
                throw new SQLException("the streams upsert returned " + first.size() + " of " + from + " streams");
            }
        }
        return first;
    }

    private static void read(PreparedStatement s, Map<String, Integer> countByStream, Map<String, StreamPosition> first)
            throws SQLException {
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                String stream = rs.getString(1);
                long head = rs.getLong(3);
                first.put(stream, new StreamPosition(head - countByStream.get(stream) + 1, rs.getString(2)));
            }
        }
    }
}
