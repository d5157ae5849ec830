package dev.herald.server.store;

import dev.herald.core.message.Target;
import dev.herald.core.store.DeliveryStatus;
import dev.herald.core.store.Receipt;
import dev.herald.core.store.Replay;
import dev.herald.core.store.ReplayRequest;
import dev.herald.core.store.StoredMessage;
import dev.herald.core.store.StreamPosition;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The reads: one replay page and one receipt, each inside one read transaction on a reader connection. Same
 * rules as {@code MemoryMessageStore}: a page is in position order and bounded by the head it names (the read
 * rule of {@code MessageStore}); expired entries are hidden at once and, between the cursor and the end of the
 * page, report a gap, as does a {@code trimmed_through} beyond an id cursor the stream no longer holds. Replayed
 * messages carry their position in the replayed stream, with the stream's epoch.
 * Stateless; callers run it on reader threads.
 */
final class StoreReads {
    static final String POSITION_PAGE = "SELECT " + StoreRows.MESSAGE_COLUMNS + ", e.position"
            + " FROM stream_entries e JOIN messages m ON m.id = e.message_id"
            + " WHERE e.stream = ? AND e.position > ? AND e.position <= ? AND e.expires_at > ? ORDER BY e.position LIMIT ?";
    /**
     * A user's entries below a status: the user's status is the message row's for a message to that user alone (V7),
     * else its recipients row's (an entry in a user's inbox has one or the other).
     */
    static final String PENDING_POSITION_PAGE = "SELECT " + StoreRows.MESSAGE_COLUMNS + ", e.position"
            + " FROM stream_entries e JOIN messages m ON m.id = e.message_id"
            + " WHERE e.stream = ? AND e.position > ? AND e.position <= ? AND e.expires_at > ?"
            + " AND (CASE WHEN m.recipient IS NULL"
            + " THEN (SELECT r.status FROM recipients r WHERE r.message_id = e.message_id AND r.user_id = ?)"
            + " ELSE m.status END) < ? ORDER BY e.position LIMIT ?";
    static final String POSITION_OF = "SELECT position FROM stream_entries WHERE stream = ? AND message_id = ?";
    static final String FIRST_AFTER_ID = "SELECT MIN(position) FROM stream_entries WHERE stream = ? AND message_id > ?";
    static final String STREAM = "SELECT epoch, trimmed_through, head FROM streams WHERE stream = ?";
    /** SQLite: the row's head is a lower bound (see {@link SqliteStreamHeads}). */
    static final String SQLITE_STREAM = "SELECT s.epoch, s.trimmed_through, " + SqliteStreamHeads.HEAD_OF
            + ", s.id FROM streams s WHERE s.stream = ?";
    /** The message and, for a message to one user (V7), that user's status: the columns of {@link #RECIPIENTS} but the user. */
    static final String MESSAGE = "SELECT " + StoreRows.MESSAGE_COLUMNS
            + ", m.status, m.delivered_at, m.acked_at, m.read_at, m.dropped FROM messages m WHERE m.id = ?";
    static final String RECIPIENTS = "SELECT user_id, status, delivered_at, acked_at, read_at, dropped FROM recipients WHERE message_id = ?";

    private StoreReads() { }

    /**
     * One page after the cursor, in position order, up to the stream's head (or the request's bound). The head is
     * read first and bounds the page query, so the page is a prefix of what the head names even where each
     * statement reads its own snapshot (PostgreSQL's READ COMMITTED): an entry at or below the head was committed
     * when the head was read (the head and the entries move in one transaction), and one above it is left out.
     * Positions are given out without gaps, so every position between the cursor and the end of what was read that
     * is not in the page was lost (trimmed, expired or purged): that is the gap, exactly. A cursor of another epoch
     * reads from the beginning, with a gap. An id cursor is the id's position when the stream holds it, else the
     * place before the first entry with a greater id (then a trim past the id is a gap too).
     */
    static Replay replay(Connection c, SqlDialect dialect, ReplayRequest request, long now) throws SQLException {
        String stream = StoreRows.streamKey(request.stream());
        String epoch;
        String trimmedThrough;
        long head;
        Object key; // what the stream's entries hold: SQLite its id (V6), PostgreSQL its name
        try (PreparedStatement s = c.prepareStatement(dialect == SqlDialect.SQLITE ? SQLITE_STREAM : STREAM)) {
            s.setString(1, stream);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    // never appended to: a position names a history this database does not have
                    return new Replay(List.of(), request.afterPosition() != null, false, null);
                }
                epoch = rs.getString(1);
                trimmedThrough = rs.getString(2);
                head = Math.min(rs.getLong(3), request.upTo());
                key = dialect == SqlDialect.SQLITE ? (Object) rs.getLong(4) : stream;
            }
        }
        long after = 0;
        boolean gap = false;
        if (request.afterPosition() != null) {
            boolean sameEpoch = epoch.equals(request.afterPosition().epoch());
            after = sameEpoch ? Math.min(request.afterPosition().position(), head) : 0;
            gap = !sameEpoch;
        } else if (request.afterId() != null) {
            long exact = positionOf(c, key, request.afterId());
            if (exact >= 0) {
                after = Math.min(exact, head);
            } else {
                after = Math.min(firstAfterId(c, key, request.afterId(), head) - 1, head);
                gap = trimmedThrough != null && trimmedThrough.compareTo(request.afterId()) > 0;
            }
        }
        // one row beyond the page tells whether there is more
        List<StoredMessage> rows = page(c, request, now, key, epoch, after, head);
        boolean more = rows.size() > request.limit();
        if (more) {
            rows.remove(rows.size() - 1);
        }
        long readTo = more ? rows.get(rows.size() - 1).position(request.stream()).position() : head;
        boolean cursor = request.afterPosition() != null || request.afterId() != null;
        boolean lost = cursor && request.pending() == ReplayRequest.Pending.ALL && rows.size() < readTo - after;
        return new Replay(rows, gap || lost, more, head == 0 ? null : new StreamPosition(head, epoch));
    }

    /**
     * The position of the entry of {@code messageId} in the stream, or -1 when the stream does not hold it. Entries
     * are indexed by position only (V5: one per-stream index is one B-tree page less per message written), so this
     * reads the stream's entries, at most the stream cap of them: id cursors are the older, rarer way to resume.
     */
    private static long positionOf(Connection c, Object stream, String messageId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(POSITION_OF)) {
            s.setObject(1, stream);
            s.setString(2, messageId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    /** The position of the stream's first entry with an id greater than {@code messageId}; past {@code head} when none. */
    private static long firstAfterId(Connection c, Object stream, String messageId, long head) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(FIRST_AFTER_ID)) {
            s.setObject(1, stream);
            s.setString(2, messageId);
            try (ResultSet rs = s.executeQuery()) {
                long first = rs.next() ? rs.getLong(1) : 0;
                return rs.wasNull() || first == 0 ? head + 1 : first;
            }
        }
    }

    /**
     * One page of the stream after position {@code after} up to {@code head}, plus one row that tells whether there
     * is more: the whole stream, or a user's undelivered or unacked messages.
     */
    private static List<StoredMessage> page(Connection c, ReplayRequest request, long now, Object stream, String epoch,
                                            long after, long head) throws SQLException {
        List<StoredMessage> rows = new ArrayList<>();
        boolean pending = request.stream() instanceof Target.User && request.pending() != ReplayRequest.Pending.ALL;
        try (PreparedStatement s = c.prepareStatement(pending ? PENDING_POSITION_PAGE : POSITION_PAGE)) {
            int i = 1;
            s.setObject(i++, stream);
            s.setLong(i++, after);
            s.setLong(i++, head);
            s.setLong(i++, now);
            if (pending) {
                s.setString(i++, ((Target.User) request.stream()).userId());
                s.setInt(i++, request.pending() == ReplayRequest.Pending.UNDELIVERED ? DeliveryStatus.DELIVERED.rank() : DeliveryStatus.ACKED.rank());
            }
            s.setInt(i, request.limit() + 1);
            read(s, rows, request.stream(), epoch);
        }
        return rows;
    }

    private static void read(PreparedStatement s, List<StoredMessage> into, Target stream, String epoch) throws SQLException {
        int positionColumn = StoreRows.MESSAGE_COLUMN_COUNT + 1;
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                StreamPosition position = new StreamPosition(rs.getLong(positionColumn), epoch);
                into.add(StoreRows.message(rs).withPositions(Map.of(stream, position)));
            }
        }
    }

    static Optional<Receipt> receipt(Connection c, String messageId, long now) throws SQLException {
        StoredMessage message;
        Map<String, Receipt.Recipient> byUser = new HashMap<>();
        try (PreparedStatement s = c.prepareStatement(MESSAGE)) {
            s.setString(1, messageId);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                message = StoreRows.message(rs);
                String solo = rs.getString(9);
                if (solo != null) {
                    byUser.put(solo, recipient(rs, solo, StoreRows.MESSAGE_COLUMN_COUNT + 1, message.expiresAt(), now));
                }
            }
        }
        if (byUser.isEmpty()) {
            try (PreparedStatement s = c.prepareStatement(RECIPIENTS)) {
                s.setString(1, messageId);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        String user = rs.getString(1);
                        byUser.put(user, recipient(rs, user, 2, message.expiresAt(), now));
                    }
                }
            }
        }
        // recipients in publish order, as the message names them
        List<Receipt.Recipient> recipients = new ArrayList<>(byUser.size());
        for (String user : new LinkedHashSet<>(message.users())) {
            Receipt.Recipient r = byUser.get(user);
            if (r != null) {
                recipients.add(r);
            }
        }
        return Optional.of(new Receipt(message, recipients));
    }

    /** One recipient from five columns from {@code first} on: status, delivered_at, acked_at, read_at, dropped. */
    private static Receipt.Recipient recipient(ResultSet rs, String user, int first, long expiresAt, long now) throws SQLException {
        boolean dropped = rs.getInt(first + 4) == 1;
        return new Receipt.Recipient(user, status(rs.getInt(first), dropped, expiresAt, now),
                nullableLong(rs, first + 1), nullableLong(rs, first + 2), nullableLong(rs, first + 3));
    }

    /** Acked or read stays so; otherwise a dropped or expired message says so; otherwise the stored rank. */
    static DeliveryStatus status(int rank, boolean dropped, long expiresAt, long now) {
        if (rank >= DeliveryStatus.ACKED.rank()) {
            return DeliveryStatus.ofRank(rank);
        }
        if (dropped) {
            return DeliveryStatus.DROPPED;
        }
        return expiresAt <= now ? DeliveryStatus.EXPIRED : DeliveryStatus.ofRank(rank);
    }

    private static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }
}
