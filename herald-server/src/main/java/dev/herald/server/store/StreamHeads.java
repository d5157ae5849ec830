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
 * PostgreSQL's stream heads, handed out inside the writer's transaction: one array upsert advances each stream's
 * {@code head} by the number of entries the group adds to it (creating the stream with a new epoch when it is
 * missing) and returns the new head and the epoch. The rows stay locked until the transaction ends, so writers on
 * other nodes wait for each other per stream and positions stay gap-free; streams are locked in name order (an array
 * upsert inserts in array order), so two writers never wait for each other crosswise. A failed transaction rolls the
 * heads back with everything else. Stateless; the caller's session is the writer's. SQLite's writer, alone with its
 * file, keeps them in memory instead ({@link SqliteStreamHeads}).
 */
final class StreamHeads {
    /** Every stream of the group in one statement of constant text (see {@link ArrayInserts}). */
    static final String ADVANCE_ALL = ArrayInserts.insertSql("streams", "stream, epoch, head",
            ArrayInserts.Type.TEXT, ArrayInserts.Type.TEXT, ArrayInserts.Type.BIGINT)
            + " ON CONFLICT (stream) DO UPDATE SET head = streams.head + excluded.head RETURNING stream, epoch, head";

    private StreamHeads() { }

    /**
     * Advances each stream by its count; returns, per stream, the first position it got (the rest follow it
     * one by one) with the stream's epoch. The statement is kept in the writer's session.
     */
    static Map<String, StreamPosition> advance(SqlSession session, Map<String, Integer> countByStream) throws SQLException {
        List<String> streams = new ArrayList<>(countByStream.keySet());
        Collections.sort(streams);
        Map<String, StreamPosition> first = new HashMap<>(streams.size() * 2);
        ArrayInserts rows = new ArrayInserts(ArrayInserts.Type.TEXT, ArrayInserts.Type.TEXT, ArrayInserts.Type.BIGINT);
        for (String stream : streams) {
            rows.add(stream, StreamPosition.newEpoch(), (long) countByStream.get(stream)); // the epoch is used only if new
        }
        PreparedStatement s = session.prepare(ADVANCE_ALL);
        rows.bind(session.connection, s);
        read(s, countByStream, first);
        if (first.size() < streams.size()) {
            throw new SQLException("the streams upsert returned " + first.size() + " of " + streams.size() + " streams");
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
