package dev.herald.server.store;

import dev.herald.core.store.StreamPosition;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SQLite's stream heads, kept by the writer in memory instead of being upserted with every group. The writer is the
 * only one that writes an SQLite file (one node; clusters run on PostgreSQL), so a head it gave out and committed
 * cannot move under it. Each upsert wrote a leaf page of the {@code streams} B-tree per stream and took about a tenth
 * of the writer's CPU; now a stream's row is written when the stream is made, and again only when maintenance
 * removes its newest entries.
 *
 * <p>On SQLite the row's {@code head} is therefore a lower bound: a stream's head is the greater of it and the
 * stream's greatest entry position ({@link #HEAD_OF}, one step down the {@code (stream, position)} index). Both move
 * in the writer's transactions, so every reader's snapshot sees them agree. Maintenance keeps this true when it
 * deletes a stream's newest entries (the TTL can empty a stream): it first writes the head into the row
 * ({@link #saveHeadsSql}), so positions are never given out twice in one epoch.
 *
 * <p>Writer thread only. Heads advanced by the open transaction are pending until {@link #committed()}; a transaction
 * that fails forgets every head ({@link #forget()}), and the next group reads them again.
 */
final class SqliteStreamHeads {
    /** Streams whose heads are kept; the least recently used is read again from the file when it comes back. */
    static final int DEFAULT_CAPACITY = 100_000;

    /** A stream's head: its row's, or its greatest entry position when greater (see the class comment). */
    static final String HEAD_OF = "MAX(s.head, COALESCE((SELECT MAX(e.position) FROM stream_entries e WHERE e.stream = s.id), 0))";

    static String readSql(int n) {
        return "SELECT s.stream, s.epoch, " + HEAD_OF + ", s.id FROM streams s WHERE s.stream IN ("
                + String.join(", ", Collections.nCopies(n, "?")) + ")";
    }

    /** Writes the heads of the streams named in the statement's one parameter list into their rows. */
    static String saveHeadsSql(int n) {
        return "UPDATE streams AS s SET head = " + HEAD_OF + " WHERE s.stream IN ("
                + String.join(", ", Collections.nCopies(n, "?")) + ")";
    }

    /** A stream's last position given out (0 before its first entry), its epoch and its id (what its entries hold). */
    private record Head(long last, String epoch, long id) { }

    private final Map<String, Head> committed;
    private final Map<String, Head> pending = new HashMap<>();

    SqliteStreamHeads(int capacity) {
        this.committed = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Head> eldest) {
                return size() > capacity;
            }
        };
    }

    /**
     * Advances each stream by its count inside the open transaction; returns, per stream, the first position it got
     * (the rest follow it one by one) with the stream's epoch. Streams not known yet are read from the file, and made
     * there (head 0, a new epoch) when they are new.
     */
    Map<String, StreamPosition> advance(SqlSession session, Map<String, Integer> countByStream) throws SQLException {
        List<String> unknown = new ArrayList<>();
        for (String stream : countByStream.keySet()) {
            if (!pending.containsKey(stream) && !committed.containsKey(stream)) {
                unknown.add(stream);
            }
        }
        if (!unknown.isEmpty()) {
            Collections.sort(unknown);
            load(session, unknown);
        }
        Map<String, StreamPosition> first = new HashMap<>(countByStream.size() * 2);
        for (Map.Entry<String, Integer> e : countByStream.entrySet()) {
            String stream = e.getKey();
            Head head = pending.get(stream);
            if (head == null) {
                head = committed.get(stream);
            }
            first.put(stream, new StreamPosition(head.last() + 1, head.epoch()));
            pending.put(stream, new Head(head.last() + e.getValue(), head.epoch(), head.id()));
        }
        return first;
    }

    /** The id of a stream {@link #advance} has just advanced in the open transaction. */
    long idOf(String stream) {
        return pending.get(stream).id();
    }

    /** The open transaction committed: its heads are the streams' heads now. */
    void committed() {
        committed.putAll(pending);
        pending.clear();
    }

    /** A transaction failed (its outcome may be unknown): every head is read from the file again when next needed. */
    void forget() {
        pending.clear();
        committed.clear();
    }

    /** Reads the heads of {@code streams} into {@link #pending}, making the rows of those that do not exist yet. */
    private void load(SqlSession session, List<String> streams) throws SQLException {
        read(session, streams);
        MultiRowInserts made = new MultiRowInserts("streams", "stream, epoch, head", 3);
        List<String> fresh = new ArrayList<>();
        for (String stream : streams) {
            if (!pending.containsKey(stream)) {
                made.add(stream, StreamPosition.newEpoch(), 0L);
                fresh.add(stream);
            }
        }
        if (!fresh.isEmpty()) {
            made.execute(session);
            read(session, fresh); // their ids, given by SQLite
        }
    }

    private void read(SqlSession session, List<String> streams) throws SQLException {
        for (int from = 0; from < streams.size(); ) {
            int size = MultiRowInserts.chunkSize(streams.size() - from);
            PreparedStatement s = session.prepare(readSql(size));
            for (int i = 0; i < size; i++) {
                s.setString(i + 1, streams.get(from + i));
            }
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    pending.put(rs.getString(1), new Head(rs.getLong(3), rs.getString(2), rs.getLong(4)));
                }
            }
            from += size;
        }
    }
}
