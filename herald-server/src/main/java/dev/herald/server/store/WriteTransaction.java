package dev.herald.server.store;

import dev.herald.core.notify.Attempt;
import dev.herald.core.notify.JobState;
import dev.herald.core.notify.NotifyJob;
import dev.herald.core.message.Target;
import dev.herald.core.store.Appended;
import dev.herald.core.store.DeliveryStatus;
import dev.herald.core.store.Maintenance;
import dev.herald.core.store.StatusUpdate;
import dev.herald.core.store.StoreLimits;
import dev.herald.core.store.StoredMessage;
import dev.herald.core.store.StreamPosition;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The writes of one group commit, on one connection inside one transaction: every queued append and status
 * update becomes a row, and consecutive operations of one kind go to the database together (on SQLite a JDBC
 * batch, or multi-row inserts where no per-row count is needed, {@link MultiRowInserts}); on PostgreSQL each table's
 * rows go in one statement per group: the messages with an idempotency key as one array insert ({@link ArrayInserts};
 * repeats of a taken key are the ids {@code RETURNING} leaves out, their holders read in one more statement), and by
 * binary COPY ({@link CopyRows}) the rows no conflict can skip: the messages without a key, the stream entries and the
 * recipients of the messages to several users (a message to one user keeps its recipient's status in its own row, V7).
 * Operations take effect in call order: a status update waits for the appends queued
 * before it to be flushed, and the other way round. Results are known after {@link #flush()}; nothing is
 * visible to others before the caller commits. Statements come from the writer's session and are reused by
 * the next transaction. The channel deliveries of an appended message ({@code StoredMessage#jobs}) are inserted
 * with it, and not at all when it turns out a duplicate; {@code NotifyStore} writes go through
 * {@link #notifyWrites()}. Each stream entry gets the stream's next position ({@link StreamHeads}), in call order:
 * the order the messages were appended in, whatever order the inserts themselves take. Used by the writer thread only.
 */
final class WriteTransaction {
    static final String INSERT_MESSAGE = "INSERT INTO messages (id, ts, expires_at, data, users, topics, to_all, idempotency_key, "
            + "request_hash, recipient) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING";
    static final String FIND_KEY = "SELECT id, request_hash FROM messages WHERE idempotency_key = ?";

    // PostgreSQL: each a single statement for the whole group (ArrayInserts), same columns as the single-row ones
    private static final ArrayInserts.Type[] MESSAGE_TYPES = {ArrayInserts.Type.TEXT, ArrayInserts.Type.BIGINT,
            ArrayInserts.Type.BIGINT, ArrayInserts.Type.TEXT, ArrayInserts.Type.TEXT, ArrayInserts.Type.TEXT,
            ArrayInserts.Type.INT, ArrayInserts.Type.TEXT, ArrayInserts.Type.TEXT, ArrayInserts.Type.TEXT};
    private static final String MESSAGE_COLUMNS = "id, ts, expires_at, data, users, topics, to_all, idempotency_key, request_hash, recipient";
    private static final String MESSAGE_CONFLICT = " ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING RETURNING id";
    static final String INSERT_MESSAGES = ArrayInserts.insertSql("messages", MESSAGE_COLUMNS, MESSAGE_TYPES) + MESSAGE_CONFLICT;
    // PostgreSQL: the rows no ON CONFLICT has to sort out, by binary COPY (see CopyRows), each value of its column's type
    private static final String UNKEYED_MESSAGE_COLUMNS = "id, ts, expires_at, data, users, topics, to_all, recipient";
    private static final CopyRows.Type[] UNKEYED_MESSAGE_COPY = {CopyRows.Type.TEXT, CopyRows.Type.INT8, CopyRows.Type.INT8,
            CopyRows.Type.TEXT, CopyRows.Type.TEXT, CopyRows.Type.TEXT, CopyRows.Type.INT2, CopyRows.Type.TEXT};
    private static final CopyRows.Type[] ENTRY_COPY = {CopyRows.Type.TEXT, CopyRows.Type.TEXT, CopyRows.Type.INT8, CopyRows.Type.INT8};
    private static final CopyRows.Type[] RECIPIENT_COPY = {CopyRows.Type.TEXT, CopyRows.Type.TEXT};
    private static final String ENTRY_COLUMNS = "stream, message_id, expires_at, position";
    private static final String RECIPIENT_COLUMNS = "message_id, user_id";
    static final String FIND_KEYS = "SELECT idempotency_key, id, request_hash FROM messages WHERE idempotency_key = ANY(?)";
    // every step up to the new status happened by now at the latest (an ack implies delivery); the status never goes back
    private static final String SET_STATUS = " SET status = CASE WHEN status < ? THEN ? ELSE status END, "
            + "delivered_at = COALESCE(delivered_at, ?), acked_at = COALESCE(acked_at, ?), read_at = COALESCE(read_at, ?) ";
    static final String UPDATE_STATUS = "UPDATE recipients" + SET_STATUS + "WHERE message_id = ? AND user_id = ?";
    /** The same for a message to one user, whose status is in its own row (V7, {@link StoreRows#soloRecipient}). */
    static final String UPDATE_SOLO_STATUS = "UPDATE messages" + SET_STATUS + "WHERE id = ? AND recipient = ?";

    private final SqlSession session;
    private final StreamTracker streams;
    /** SQLite: the heads the writer keeps; {@code null} on PostgreSQL, whose heads move in the streams upsert. */
    private final SqliteStreamHeads sqliteHeads;
    /** PostgreSQL: one array insert per table and group instead of a JDBC batch (see {@link ArrayInserts}). */
    private final boolean arrays;
    /** Idempotency keys seen in this group: the first message with a key leads, later ones follow it. */
    private final Map<String, Slot> keys = new HashMap<>();
    private final List<Slot> pendingMessages = new ArrayList<>();
    private final List<StatusCount> pendingUpdates = new ArrayList<>();
    private NotifyWrites notifyStatements; // made on first use
    private JobCompletions completions;    // made on first use

    WriteTransaction(SqlSession session, StreamTracker streams, SqliteStreamHeads sqliteHeads) {
        this.session = session;
        this.streams = streams;
        this.sqliteHeads = sqliteHeads;
        this.arrays = session.dialect == SqlDialect.POSTGRESQL;
    }

    /** Queues the messages of one append call; the slots give its results after {@link #flush()}. */
    List<Slot> append(List<StoredMessage> messages) throws SQLException {
        flushUpdates();
        flushCompletions();
        List<Slot> slots = new ArrayList<>(messages.size());
        for (StoredMessage m : messages) {
            Slot slot = new Slot(m);
            slots.add(slot);
            if (m.idempotencyKey() != null) {
                Slot leader = keys.putIfAbsent(m.idempotencyKey(), slot);
                if (leader != null) {
                    slot.leader = leader;
                    continue;
                }
            }
            pendingMessages.add(slot);
        }
        return slots;
    }

    /** Queues the updates of one call; the counter holds how many applied after {@link #flush()}. */
    StatusCount updateStatus(List<StatusUpdate> updates) throws SQLException {
        flushMessages();
        flushCompletions();
        StatusCount count = new StatusCount(updates);
        if (!updates.isEmpty()) {
            pendingUpdates.add(count);
        }
        return count;
    }

    Maintenance maintain(StoreLimits limits, long now) throws SQLException {
        flush();
        return new StoreMaintenance(session, limits, streams).run(now);
    }

    /** The {@code NotifyStore} statements, after everything queued before them took effect. */
    NotifyWrites notifyWrites() throws SQLException {
        flush();
        return writesOfNotify();
    }

    private NotifyWrites writesOfNotify() {
        if (notifyStatements == null) {
            notifyStatements = new NotifyWrites(session);
        }
        return notifyStatements;
    }

    /** Queues one completion of a job; consecutive ones are applied together, see {@link JobCompletions}. */
    JobCompletions.Pending complete(String jobId, Attempt attempt, JobState next, long nextDueAt, String lastError)
            throws SQLException {
        flushMessages();
        flushUpdates();
        if (completions == null) {
            completions = new JobCompletions(session);
        }
        return completions.add(jobId, attempt, next, nextDueAt, lastError);
    }

    void flush() throws SQLException {
        flushMessages();
        flushUpdates();
        flushCompletions();
    }

    private void flushCompletions() throws SQLException {
        if (completions != null) {
            completions.flush();
        }
    }

    private void flushMessages() throws SQLException {
        if (pendingMessages.isEmpty()) {
            return;
        }
        List<Slot> inCallOrder = new ArrayList<>(pendingMessages);
        // keyed messages first, in key order: two nodes inserting the same keys wait for each other in one order (no deadlock)
        List<Slot> batch = new ArrayList<>(pendingMessages);
        batch.sort(Comparator.comparing((Slot s) -> s.message.idempotencyKey(), Comparator.nullsLast(Comparator.naturalOrder())));
        pendingMessages.clear();

        boolean[] inserted = arrays ? insertMessagesAtOnce(batch) : insertMessagesBatched(batch);
        Map<String, Holder> winners = winnersOf(batch, inserted);
        for (int i = 0; i < batch.size(); i++) {
            Slot s = batch.get(i);
            if (!inserted[i]) {
                // the key was taken by a committed message (of an earlier group, or another node's)
                s.resolveRepeat(winners.get(s.message.idempotencyKey()));
            }
        }
        Map<String, Integer> countByStream = new HashMap<>();
        for (Slot s : inCallOrder) {
            if (!s.repeat) {
                s.streamKeys().keySet().forEach(stream -> countByStream.merge(stream, 1, Integer::sum));
            }
        }
        Map<String, StreamPosition> next = countByStream.isEmpty() ? Map.of()
                : sqliteHeads != null ? sqliteHeads.advance(session, countByStream) : StreamHeads.advance(session, countByStream);

        RowSink entries = new RowSink("stream_entries", ENTRY_COLUMNS, ENTRY_COPY);
        RowSink recipients = new RowSink("recipients", RECIPIENT_COLUMNS, RECIPIENT_COPY);
        List<NotifyJob> jobs = null;
        for (Slot s : inCallOrder) {
            if (s.repeat) {
                continue;
            }
            StoredMessage m = s.message;
            if (!m.jobs().isEmpty()) {
                jobs = jobs == null ? new ArrayList<>() : jobs;
                jobs.addAll(m.jobs());
            }
            Map<Target, StreamPosition> positions = new LinkedHashMap<>();
            for (Map.Entry<String, Target> e : s.streamKeys().entrySet()) {
                String stream = e.getKey();
                StreamPosition position = next.get(stream);
                next.put(stream, new StreamPosition(position.position() + 1, position.epoch()));
                positions.put(e.getValue(), position);
                // SQLite's entries hold the stream's id (V6), PostgreSQL's its name
                entries.add(sqliteHeads != null ? sqliteHeads.idOf(stream) : stream, m.id(), m.expiresAt(), position.position());
                streams.touched(stream);
                if (stream.startsWith(StoreRows.USER_PREFIX) && StoreRows.soloRecipient(m) == null) {
                    recipients.add(m.id(), stream.substring(StoreRows.USER_PREFIX.length()));
                }
            }
            s.resolve(positions);
        }
        entries.execute();
        recipients.execute();
        if (jobs != null) {
            writesOfNotify().insert(jobs);
        }
    }

    /**
     * SQLite: the keyed messages (first in the batch, as sorted) as one JDBC batch, one insert count per message: 0 for a
     * taken key; the others, which no conflict can skip, as multi-row inserts ({@link MultiRowInserts}), cheaper per row.
     */
    private boolean[] insertMessagesBatched(List<Slot> batch) throws SQLException {
        boolean[] inserted = new boolean[batch.size()];
        int keyed = 0;
        while (keyed < batch.size() && batch.get(keyed).message.idempotencyKey() != null) {
            keyed++;
        }
        if (keyed > 0) {
            PreparedStatement insert = statement(INSERT_MESSAGE);
            for (Slot s : batch.subList(0, keyed)) {
                bindMessage(insert, s.message);
                insert.addBatch();
            }
            int[] counts = insert.executeBatch();
            for (int i = 0; i < counts.length; i++) {
                inserted[i] = counts[i] != 0;
            }
        }
        if (keyed < batch.size()) {
            MultiRowInserts rows = new MultiRowInserts("messages", MESSAGE_COLUMNS, MESSAGE_TYPES.length);
            for (Slot s : batch.subList(keyed, batch.size())) {
                StoredMessage m = s.message;
                rows.add(m.id(), m.timestamp(), m.expiresAt(), m.dataJson(), StoreRows.encodeUsers(m),
                        StoreRows.encodeList(m.topics()), m.all() ? 1 : 0, null, null, StoreRows.soloRecipient(m));
            }
            rows.execute(session);
            Arrays.fill(inserted, keyed, batch.size(), true);
        }
        return inserted;
    }

    private static void bindMessage(PreparedStatement insert, StoredMessage m) throws SQLException {
        insert.setString(1, m.id());
        insert.setLong(2, m.timestamp());
        insert.setLong(3, m.expiresAt());
        insert.setString(4, m.dataJson());
        insert.setString(5, StoreRows.encodeUsers(m));
        insert.setString(6, StoreRows.encodeList(m.topics()));
        insert.setInt(7, m.all() ? 1 : 0);
        insert.setString(8, m.idempotencyKey());
        insert.setString(9, m.idempotencyKey() == null ? null : m.requestHash());
        insert.setString(10, StoreRows.soloRecipient(m));
    }

    /**
     * PostgreSQL: the keyed messages (first in the batch, as sorted) in one statement whose {@code RETURNING} names the
     * rows it inserted (a message not among them met a taken key), the others by binary COPY ({@link CopyRows}):
     * {@code ON CONFLICT} makes every row a speculative insertion (one more WAL record and a second pass over the row),
     * which a message without a key, that no conflict can skip, does not need. Rows go in batch order.
     */
    private boolean[] insertMessagesAtOnce(List<Slot> batch) throws SQLException {
        boolean[] inserted = new boolean[batch.size()];
        int keyed = 0;
        while (keyed < batch.size() && batch.get(keyed).message.idempotencyKey() != null) {
            keyed++;
        }
        if (keyed > 0) {
            ArrayInserts rows = new ArrayInserts(MESSAGE_TYPES);
            for (Slot s : batch.subList(0, keyed)) {
                StoredMessage m = s.message;
                rows.add(m.id(), m.timestamp(), m.expiresAt(), m.dataJson(), StoreRows.encodeUsers(m),
                        StoreRows.encodeList(m.topics()), m.all() ? 1 : 0, m.idempotencyKey(), m.requestHash(),
                        StoreRows.soloRecipient(m));
            }
            PreparedStatement insert = statement(INSERT_MESSAGES);
            rows.bind(session.connection, insert);
            Set<String> stored = new HashSet<>(keyed * 2);
            try (ResultSet rs = insert.executeQuery()) {
                while (rs.next()) {
                    stored.add(rs.getString(1));
                }
            }
            for (int i = 0; i < keyed; i++) {
                inserted[i] = stored.contains(batch.get(i).message.id());
            }
        }
        if (keyed < batch.size()) {
            CopyRows rows = new CopyRows("messages", UNKEYED_MESSAGE_COLUMNS, UNKEYED_MESSAGE_COPY);
            for (Slot s : batch.subList(keyed, batch.size())) {
                StoredMessage m = s.message;
                rows.add(m.id(), m.timestamp(), m.expiresAt(), m.dataJson(), StoreRows.encodeUsers(m),
                        StoreRows.encodeList(m.topics()), m.all() ? 1 : 0, StoreRows.soloRecipient(m));
            }
            rows.execute(session.connection);
            Arrays.fill(inserted, keyed, batch.size(), true);
        }
        return inserted;
    }

    /** The committed holders of the keys the group's messages did not get (none, usually: no statement then). */
    private Map<String, Holder> winnersOf(List<Slot> batch, boolean[] inserted) throws SQLException {
        List<String> taken = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            if (!inserted[i]) {
                taken.add(batch.get(i).message.idempotencyKey());
            }
        }
        if (taken.isEmpty()) {
            return Map.of();
        }
        Map<String, Holder> winners = new HashMap<>(taken.size() * 2);
        if (arrays) {
            PreparedStatement find = statement(FIND_KEYS);
            find.setArray(1, session.connection.createArrayOf(ArrayInserts.Type.TEXT.sqlName, taken.toArray(new String[0])));
            try (ResultSet rs = find.executeQuery()) {
                while (rs.next()) {
                    winners.put(rs.getString(1), new Holder(rs.getString(2), rs.getString(3)));
                }
            }
        } else {
            PreparedStatement find = statement(FIND_KEY);
            for (String key : taken) {
                find.setString(1, key);
                try (ResultSet rs = find.executeQuery()) {
                    if (rs.next()) {
                        winners.put(key, new Holder(rs.getString(1), rs.getString(2)));
                    }
                }
            }
        }
        for (String key : taken) {
            if (!winners.containsKey(key)) {
                // purged by another node between our insert and this look-up: fail the group, the caller's retry succeeds
                throw new SQLException("the message holding idempotency key " + key + " vanished during the transaction");
            }
        }
        return winners;
    }

    /**
     * The rows of one table for the group: multi-row inserts (SQLite, {@link MultiRowInserts}) or one binary COPY
     * (PostgreSQL, {@link CopyRows}); nothing is sent when no row was added.
     */
    private final class RowSink {
        private final String table;
        private final String columnList;
        private final CopyRows.Type[] types;
        private MultiRowInserts multiRow;
        private CopyRows rows;

        RowSink(String table, String columnList, CopyRows.Type[] types) {
            this.table = table;
            this.columnList = columnList;
            this.types = types;
        }

        void add(Object... values) {
            if (arrays) {
                rows = rows == null ? new CopyRows(table, columnList, types) : rows;
                rows.add(values);
            } else {
                multiRow = multiRow == null ? new MultiRowInserts(table, columnList, types.length) : multiRow;
                multiRow.add(values);
            }
        }

        void execute() throws SQLException {
            if (multiRow != null) {
                multiRow.execute(session);
            }
            if (rows != null) {
                rows.execute(session.connection);
            }
        }
    }

    /**
     * Each update goes first to the message row (where a message to one user keeps its status, V7: the common case),
     * and only those that found no row there go on to the user's recipients row (a message to several users): one of
     * the two holds it, so a batch of single-user updates runs one statement, not two.
     */
    private void flushUpdates() throws SQLException {
        if (pendingUpdates.isEmpty()) {
            return;
        }
        List<StatusUpdate> all = new ArrayList<>();
        pendingUpdates.forEach(count -> all.addAll(count.updates));
        int[] inMessage = applyUpdates(statement(UPDATE_SOLO_STATUS), all);
        List<StatusUpdate> elsewhere = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (inMessage[i] <= 0) {
                elsewhere.add(all.get(i));
            }
        }
        int[] inRecipients = elsewhere.isEmpty() ? new int[0] : applyUpdates(statement(UPDATE_STATUS), elsewhere);
        int i = 0;
        int r = 0;
        for (StatusCount count : pendingUpdates) {
            for (int n = 0; n < count.updates.size(); n++, i++) {
                if (inMessage[i] > 0 || inRecipients[r++] > 0) { // r moves only past a miss in messages
                    count.applied++;
                }
            }
        }
        pendingUpdates.clear();
    }

    /** {@code updates} through {@code update} (its last two parameters: the message and the user), as one batch. */
    private static int[] applyUpdates(PreparedStatement update, List<StatusUpdate> updates) throws SQLException {
        for (StatusUpdate u : updates) {
            int rank = u.status().rank();
            update.setInt(1, rank);
            update.setInt(2, rank);
            update.setLong(3, u.at());
            setNullableLong(update, 4, rank >= DeliveryStatus.ACKED.rank() ? u.at() : null);
            setNullableLong(update, 5, rank >= DeliveryStatus.READ.rank() ? u.at() : null);
            update.setString(6, u.messageId());
            update.setString(7, u.userId());
            update.addBatch();
        }
        return update.executeBatch();
    }

    private static void setNullableLong(PreparedStatement s, int index, Long value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.BIGINT);
        } else {
            s.setLong(index, value);
        }
    }

    private PreparedStatement statement(String sql) throws SQLException {
        return session.prepare(sql);
    }

    /** The message that holds an idempotency key, and the hash of the request it was stored for. */
    private record Holder(String id, String requestHash) { }

    /**
     * One message of an append call and, after the flush, what became of it. A message whose key another
     * message of this group leads follows its leader, and is compared with the message that finally holds
     * the key (the leader, or the committed message the leader turned out to repeat).
     */
    static final class Slot {
        final StoredMessage message;
        Slot leader;
        private Holder holder;
        private boolean repeat;
        private Map<Target, StreamPosition> positions;

        Slot(StoredMessage message) {
            this.message = message;
        }

        /** Its distinct stream keys (a user named twice has one inbox entry), each with its target. */
        Map<String, Target> streamKeys() {
            Map<String, Target> keys = new LinkedHashMap<>();
            for (Target t : message.streams()) {
                keys.putIfAbsent(StoreRows.streamKey(t), t);
            }
            return keys;
        }

        void resolve(Map<Target, StreamPosition> positions) {
            this.holder = new Holder(message.id(), message.requestHash());
            this.positions = positions;
        }

        void resolveRepeat(Holder committed) {
            this.holder = committed;
            this.repeat = true;
        }

        private Holder holder() {
            return leader != null ? leader.holder() : holder;
        }

        Appended result() {
            if (leader == null && !repeat) {
                return Appended.appended(holder.id(), positions);
            }
            Holder h = holder();
            return Appended.repeatOf(h.id(), h.requestHash(), message.requestHash());
        }
    }

    /** The updates of one call and how many of them found their recipient. */
    static final class StatusCount {
        final List<StatusUpdate> updates;
        int applied;

        StatusCount(List<StatusUpdate> updates) {
            this.updates = updates;
        }
    }
}
