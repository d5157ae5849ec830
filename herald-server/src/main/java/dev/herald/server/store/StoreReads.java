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
 * The reads: one replay page and one receipt, each inside one read transaction (one snapshot) on a reader
 * connection. Same rules as {@code MemoryMessageStore}: expired entries are hidden at once and, between the
 * cursor and the end of the page, report a gap, as does a {@code trimmed_through} beyond the cursor. Replayed
 * messages carry their position in the replayed stream, with the stream's epoch.
 * Stateless; callers run it on reader threads.
 */
final class StoreReads {
    static final String PAGE = "SELECT " + StoreRows.MESSAGE_COLUMNS + ", e.position"
            + " FROM stream_entries e JOIN messages m ON m.id = e.message_id"
            + " WHERE e.stream = ? AND e.message_id > ? AND e.expires_at > ? ORDER BY e.message_id LIMIT ?";
    static final String PENDING_PAGE = "SELECT " + StoreRows.MESSAGE_COLUMNS + ", e.position"
            + " FROM stream_entries e JOIN messages m ON m.id = e.message_id"
            + " JOIN recipients r ON r.message_id = e.message_id AND r.user_id = ?"
            + " WHERE e.stream = ? AND e.message_id > ? AND e.expires_at > ? AND r.status < ? ORDER BY e.message_id LIMIT ?";
    static final String POSITION_PAGE = "SELECT " + StoreRows.MESSAGE_COLUMNS + ", e.position"
            + " FROM stream_entries e JOIN messages m ON m.id = e.message_id"
            + " WHERE e.stream = ? AND e.position > ? AND e.expires_at > ? ORDER BY e.position LIMIT ?";
    static final String PENDING_POSITION_PAGE = "SELECT " + StoreRows.MESSAGE_COLUMNS + ", e.position"
            + " FROM stream_entries e JOIN messages m ON m.id = e.message_id"
            + " JOIN recipients r ON r.message_id = e.message_id AND r.user_id = ?"
            + " WHERE e.stream = ? AND e.position > ? AND e.expires_at > ? AND r.status < ? ORDER BY e.position LIMIT ?";
    static final String STREAM = "SELECT epoch, trimmed_through, head FROM streams WHERE stream = ?";
    static final String EXPIRED_AFTER = "SELECT 1 FROM stream_entries WHERE stream = ? AND message_id > ? AND expires_at <= ? LIMIT 1";
    static final String EXPIRED_BETWEEN = "SELECT 1 FROM stream_entries"
            + " WHERE stream = ? AND message_id > ? AND message_id < ? AND expires_at <= ? LIMIT 1";
    static final String MESSAGE = "SELECT " + StoreRows.MESSAGE_COLUMNS + " FROM messages m WHERE m.id = ?";
    static final String RECIPIENTS = "SELECT user_id, status, delivered_at, acked_at, read_at, dropped FROM recipients WHERE message_id = ?";

    private StoreReads() { }

    static Replay replay(Connection c, ReplayRequest request, long now) throws SQLException {
        String stream = StoreRows.streamKey(request.stream());
        String after = request.afterId() == null ? "" : request.afterId();
        String epoch;
        String trimmedThrough;
        long head;
        try (PreparedStatement s = c.prepareStatement(STREAM)) {
            s.setString(1, stream);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    // never appended to: a position names a history this database does not have
                    return new Replay(List.of(), request.afterPosition() != null, false);
                }
                epoch = rs.getString(1);
                trimmedThrough = rs.getString(2);
                head = rs.getLong(3);
            }
        }
        if (request.afterPosition() != null) {
            return replayAfterPosition(c, request, now, stream, epoch, head);
        }
        // one row beyond the page tells whether there is more, and bounds the gap check like the memory store's scan
        List<StoredMessage> rows = page(c, request, now, stream, epoch, PAGE, PENDING_PAGE, (s, i) -> s.setString(i, after));
        boolean more = rows.size() > request.limit();
        String scannedTo = more ? rows.remove(rows.size() - 1).id() : null;
        boolean gap = request.afterId() != null && ((trimmedThrough != null && trimmedThrough.compareTo(after) > 0) || expiredBetween(c, stream, after, scannedTo, now));
        return new Replay(rows, gap, more);
    }

    /**
     * A page after a position, in position order. Positions are given out without gaps, so every position
     * between the cursor and the end of what was read that is not in the page was lost (trimmed, expired or
     * purged): that is the gap, exactly. A cursor of another epoch reads from the beginning, with a gap.
     */
    private static Replay replayAfterPosition(Connection c, ReplayRequest request, long now, String stream, String epoch,
                                              long head) throws SQLException {
        boolean sameEpoch = epoch.equals(request.afterPosition().epoch());
        long after = sameEpoch ? Math.min(request.afterPosition().position(), head) : 0;
        List<StoredMessage> rows = page(c, request, now, stream, epoch, POSITION_PAGE, PENDING_POSITION_PAGE, (s, i) -> s.setLong(i, after));
        boolean more = rows.size() > request.limit();
        if (more) {
            rows.remove(rows.size() - 1);
        }
        long readTo = more ? rows.get(rows.size() - 1).position(request.stream()).position() : head;
        boolean lost = request.pending() == ReplayRequest.Pending.ALL && rows.size() < readTo - after;
        return new Replay(rows, !sameEpoch || lost, more);
    }

    /** Reads page rows: the message columns, then the entry's position in {@code stream}. */
    /** Binds the cursor (a message id or a position) at its parameter index. */
    private interface Cursor {
        void bind(PreparedStatement s, int index) throws SQLException;
    }

    /**
     * One page of the stream after {@code cursor}, plus one row that tells whether there is more: the whole stream
     * ({@code pageSql}: stream, cursor, now, limit), or a user's undelivered or unacked messages ({@code pendingSql}:
     * user, stream, cursor, now, status rank below, limit).
     */
    private static List<StoredMessage> page(Connection c, ReplayRequest request, long now, String stream, String epoch,
                                            String pageSql, String pendingSql, Cursor cursor) throws SQLException {
        List<StoredMessage> rows = new ArrayList<>();
        boolean pending = request.stream() instanceof Target.User && request.pending() != ReplayRequest.Pending.ALL;
        try (PreparedStatement s = c.prepareStatement(pending ? pendingSql : pageSql)) {
            int i = 1;
            if (pending) {
                s.setString(i++, ((Target.User) request.stream()).userId());
            }
            s.setString(i++, stream);
            cursor.bind(s, i++);
            s.setLong(i++, now);
            if (pending) {
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

    /** An expired entry still in the stream after the cursor (and before {@code before}, when not null). */
    private static boolean expiredBetween(Connection c, String stream, String after, String before, long now) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(before == null ? EXPIRED_AFTER : EXPIRED_BETWEEN)) {
            int i = 1;
            s.setString(i++, stream);
            s.setString(i++, after);
            if (before != null) {
                s.setString(i++, before);
            }
            s.setLong(i, now);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    static Optional<Receipt> receipt(Connection c, String messageId, long now) throws SQLException {
        StoredMessage message;
        try (PreparedStatement s = c.prepareStatement(MESSAGE)) {
            s.setString(1, messageId);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                message = StoreRows.message(rs);
            }
        }
        Map<String, Receipt.Recipient> byUser = new HashMap<>();
        try (PreparedStatement s = c.prepareStatement(RECIPIENTS)) {
            s.setString(1, messageId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    String user = rs.getString(1);
                    int rank = rs.getInt(2);
                    boolean dropped = rs.getInt(6) == 1;
                    byUser.put(user, new Receipt.Recipient(user, status(rank, dropped, message.expiresAt(), now),
                            nullableLong(rs, 3), nullableLong(rs, 4), nullableLong(rs, 5)));
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
