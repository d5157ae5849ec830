package dev.herald.server.store;

import dev.herald.core.message.Target;
import dev.herald.core.store.Appended;
import dev.herald.core.store.DeliveryStatus;
import dev.herald.core.store.Maintenance;
import dev.herald.core.store.MessageStore;
import dev.herald.core.store.MessageStoreContract;
import dev.herald.core.store.Receipt;
import dev.herald.core.store.Replay;
import dev.herald.core.store.ReplayRequest;
import dev.herald.core.store.StatusUpdate;
import dev.herald.core.store.StoreLimits;
import dev.herald.core.store.StoreUnavailableException;
import dev.herald.core.store.StoredMessage;
import dev.herald.core.store.StreamPosition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the database-backed stores promise beyond {@link MessageStoreContract}: commits survive a restart,
 * migrations run once, concurrent appends share transactions, and a failed transaction fails its callers
 * with nothing half-written while the store recovers by itself. Each database's test extends this class.
 */
abstract class JdbcMessageStoreContract extends MessageStoreContract {

    /** Opens another store on the database the last {@link #createStore} made (a restart, or a second node). */
    protected abstract JdbcMessageStore openStore(StoreLimits limits, JdbcStoreOptions options) throws Exception;

    /** A plain connection to that database, to look behind the store. */
    protected abstract Connection connect() throws SQLException;

    /**
     * Takes the database's write lock from another connection until {@link WriteLock#release()}: the store's
     * writer waits (it must not fail within the default connection timeout).
     */
    protected abstract WriteLock holdWriteLock() throws Exception;

    /** A write lock held by another connection. */
    protected interface WriteLock {
        void release() throws Exception;
    }

    /** A store on the same database, reached in a way the test can break and repair. */
    protected abstract BreakableStore openBreakable(JdbcStoreOptions options) throws Exception;

    /** A store and its failure switch. */
    protected interface BreakableStore extends AutoCloseable {
        JdbcMessageStore store();

        /** The database becomes unreachable or unwritable, as in an outage. */
        void breakDatabase() throws Exception;

        void repairDatabase() throws Exception;

        @Override
        void close();
    }

    protected JdbcMessageStore jdbcStore() {
        return (JdbcMessageStore) store;
    }

    protected void reopen() throws Exception {
        store.close();
        store = openStore(LIMITS, JdbcStoreOptions.defaults());
    }

    @Test
    void committedMessagesStatusesAndTrimsSurviveAReopen() throws Exception {
        StoredMessage keyed = withKey(toUsers("{\"n\":1}", "u1", "u2"), "order-1");
        StoredMessage broadcast = new StoredMessage(ids.next(T0), T0, T0 + HOUR, "[2]", List.of(), List.of("news"), true, null);
        await(store.append(List.of(keyed, broadcast)));
        await(store.updateStatus(List.of(new StatusUpdate(keyed.id(), "u1", DeliveryStatus.ACKED, T0 + 5))));
        List<StoredMessage> inbox = new ArrayList<>();
        for (int i = 0; i < LIMITS.streamCap() + 1; i++) {
            inbox.add(toUsers(String.valueOf(i), "u3"));
        }
        await(store.append(inbox));
        assertThat(await(store.maintain(T0)).dropped()).isEqualTo(1);

        reopen();

        assertThat(withoutPositions(await(store.replay(new ReplayRequest(user("u1"), null, ReplayRequest.Pending.ALL, 10), T0)).messages()))
                .containsExactly(keyed);
        assertThat(replayIds(new Target.Topic("news"), null, ReplayRequest.Pending.ALL, T0)).containsExactly(broadcast.id());
        assertThat(replayIds(Target.Everyone.INSTANCE, null, ReplayRequest.Pending.ALL, T0)).containsExactly(broadcast.id());
        Receipt receipt = await(store.receipt(keyed.id(), T0 + 10)).orElseThrow();
        assertThat(receipt.recipients()).containsExactly(
                new Receipt.Recipient("u1", DeliveryStatus.ACKED, T0 + 5, T0 + 5, null),
                new Receipt.Recipient("u2", DeliveryStatus.ACCEPTED, null, null, null));
        assertThat(recipient(await(store.receipt(inbox.get(0).id(), T0)).orElseThrow(), "u3").status()).isEqualTo(DeliveryStatus.DROPPED);
        assertThat(await(store.replay(new ReplayRequest(user("u3"), inbox.get(0).id(), ReplayRequest.Pending.ALL, 10), T0)).gap()).isFalse();
        assertThat(await(store.replay(new ReplayRequest(user("u3"), "0", ReplayRequest.Pending.ALL, 10), T0)).gap()).isTrue();
        StoredMessage again = withKey(toUsers("{\"n\":2}", "u1"), "order-1");
        assertThat(await(store.append(List.of(again)))).extracting(Appended::id, Appended::duplicate).containsExactly(tuple(keyed.id(), true));
    }

    /**
     * The TTL can take every entry of a stream; its head must stay, or the next message would get a position a client
     * already holds. SQLite keeps heads in memory and writes them only then (see SqliteStreamHeads): the reopen
     * makes the store read the head back from the file.
     */
    @Test
    void aStreamEmptiedByTheTtlKeepsItsHeadAcrossAReopen() throws Exception {
        List<StoredMessage> shortLived = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            shortLived.add(new StoredMessage(ids.next(T0), T0, T0 + 1_000, String.valueOf(i), List.of("u1"), List.of(), false, null));
        }
        List<Appended> appended = await(store.append(shortLived));
        StreamPosition third = appended.get(2).positions().get(user("u1"));
        assertThat(third.position()).isEqualTo(3);
        await(store.maintain(T0 + 2_000));
        Replay emptied = await(store.replay(new ReplayRequest(user("u1"), null, ReplayRequest.Pending.ALL, 10), T0 + 2_000));
        assertThat(emptied.messages()).isEmpty();
        assertThat(emptied.head()).isEqualTo(third);

        reopen();

        assertThat(await(store.replay(new ReplayRequest(user("u1"), null, ReplayRequest.Pending.ALL, 10), T0 + 2_000)).head())
                .isEqualTo(third);
        StoredMessage next = new StoredMessage(ids.next(T0 + 2_000), T0 + 2_000, T0 + HOUR, "next", List.of("u1"), List.of(), false, null);
        assertThat(await(store.append(List.of(next))).get(0).positions().get(user("u1")))
                .isEqualTo(new StreamPosition(4, third.epoch()));
        Replay resumed = await(store.replay(new ReplayRequest(user("u1"), null, third, ReplayRequest.Pending.ALL, 10), T0 + 2_000));
        assertThat(resumed.messages()).extracting(StoredMessage::id).containsExactly(next.id());
        assertThat(resumed.gap()).isFalse();
    }

    /**
     * Nothing is indexed by expiry (V6): the TTL takes each stream's expired front. An entry that expires behind a live
     * one stays on disk, hidden from every read (a cursor before it gets a gap), until the live one expires too; then
     * both leave and each unacked recipient is counted as expired once.
     */
    @Test
    void anEntryThatExpiresBehindALiveOneIsHiddenAndLeavesWithTheFront() throws Exception {
        StoredMessage longLived = new StoredMessage(ids.next(T0), T0, T0 + HOUR, "long", List.of("u1"), List.of(), false, null);
        StoredMessage shortLived = new StoredMessage(ids.next(T0), T0, T0 + 1_000, "short", List.of("u1"), List.of(), false, null);
        StreamPosition first = await(store.append(List.of(longLived, shortLived))).get(0).positions().get(user("u1"));

        assertThat(await(store.maintain(T0 + 1_000)).expired()).isZero();
        assertThat(entriesOf("u:u1")).as("behind a live entry: still on disk").isEqualTo(2);
        assertThat(replayIds(user("u1"), null, ReplayRequest.Pending.ALL, T0 + 1_000)).containsExactly(longLived.id());
        Replay afterFirst = await(store.replay(new ReplayRequest(user("u1"), null, first, ReplayRequest.Pending.ALL, 10), T0 + 1_000));
        assertThat(afterFirst.messages()).isEmpty();
        assertThat(afterFirst.gap()).as("the hidden entry is a gap for a cursor before it").isTrue();
        assertThat(recipient(await(store.receipt(shortLived.id(), T0 + 1_000)).orElseThrow(), "u1").status())
                .isEqualTo(DeliveryStatus.EXPIRED);

        assertThat(await(store.maintain(T0 + HOUR)).expired()).isEqualTo(2);
        assertThat(entriesOf("u:u1")).isZero();
        assertThat(await(store.maintain(T0 + HOUR + 1)).expired()).as("counted once").isZero();
        assertThat(await(store.replay(new ReplayRequest(user("u1"), null, first, ReplayRequest.Pending.ALL, 10), T0 + HOUR)).gap()).isTrue();
    }

    /**
     * A pass looks at a bounded slice of the streams, from where the last one stopped, going on from the first stream
     * when it passes the last (so every pass looks at as many streams as there are, up to the slice).
     */
    @Test
    void theTtlVisitsTheStreamsInBoundedSlices() throws Exception {
        int streams = StoreMaintenance.STREAMS_PER_PASS + 7;
        List<StoredMessage> batch = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            batch.add(new StoredMessage(ids.next(T0), T0, T0 + 1_000, "x", List.of(String.format("u%05d", i)), List.of(), false, null));
        }
        await(store.append(batch));
        assertThat(await(store.maintain(T0)).expired()).as("the first slice, nothing expired yet").isZero();
        // the 7 after the first slice, then on from the first stream
        assertThat(await(store.maintain(T0 + 1_000)).expired()).isEqualTo(StoreMaintenance.STREAMS_PER_PASS);
        assertThat(entriesOf(String.format("u:u%05d", streams - 1))).as("after the first slice: trimmed").isZero();
        assertThat(entriesOf("u:u00000")).as("on from the first: trimmed").isZero();
        String notYet = String.format("u%05d", StoreMaintenance.STREAMS_PER_PASS - 1);
        assertThat(entriesOf("u:" + notYet)).as("where the pass started: not trimmed yet").isEqualTo(1);
        assertThat(replayIds(user(notYet), null, ReplayRequest.Pending.ALL, T0 + 1_000)).as("but hidden").isEmpty();
        assertThat(await(store.maintain(T0 + 1_000)).expired()).isEqualTo(7);
        assertThat(await(store.maintain(T0 + 1_000)).expired()).isZero();
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM stream_entries")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isZero();
        }
    }

    /**
     * The purge walks messages in id order: one with a longer TTL does not hold back those published after it, and
     * more than one window's worth are purged in one pass.
     */
    @Test
    void thePurgePassesOverLongerLivedMessagesAndReadsInWindows() throws Exception {
        StoredMessage longLived = new StoredMessage(ids.next(T0), T0, T0 + 48 * HOUR, "long", List.of("u1"), List.of(), false, null);
        List<StoredMessage> shortLived = new ArrayList<>();
        for (int i = 0; i < StoreMaintenance.PURGE_WINDOW + 5; i++) {
            shortLived.add(new StoredMessage(ids.next(T0), T0, T0 + 1_000, "s", List.of("u" + (i % 50)), List.of(), false, null));
        }
        await(store.append(List.of(longLived)));
        await(store.append(shortLived));
        long due = T0 + 1_000 + LIMITS.receiptRetention().toMillis();
        assertThat(await(store.maintain(due - 1)).purged()).isZero();
        assertThat(await(store.maintain(due)).purged()).isEqualTo(shortLived.size());
        assertThat(await(store.receipt(shortLived.get(0).id(), due))).isEmpty();
        assertThat(await(store.receipt(shortLived.get(shortLived.size() - 1).id(), due))).isEmpty();
        assertThat(await(store.receipt(longLived.id(), due))).isPresent();
        long longDue = T0 + 48 * HOUR + LIMITS.receiptRetention().toMillis();
        assertThat(await(store.maintain(longDue - 1)).purged()).isZero();
        assertThat(await(store.maintain(longDue)).purged()).isEqualTo(1);
        assertThat(await(store.receipt(longLived.id(), longDue))).isEmpty();
    }

    /**
     * A V5 database with data, upgraded to the latest schema (V6 drops the expiry indexes): what it held is served as
     * before, the next append continues the stream, and the TTL and the purge still take the old rows.
     */
    protected void checkUpgradeFromV5(SqlConnector v5, java.util.function.Supplier<JdbcMessageStore> upgrade,
                                      SqlConnector upgraded) throws Exception {
        List<String> messageIds = new ArrayList<>();
        try (Connection c = v5.connect(); Statement s = c.createStatement()) {
            for (int p = 1; p <= 3; p++) {
                String id = ids.next(T0);
                messageIds.add(id);
                long expiresAt = p == 3 ? T0 + 2 * HOUR : T0 + HOUR;
                s.executeUpdate("INSERT INTO messages (id, ts, expires_at, data, users, to_all) VALUES ('" + id + "', " + T0 + ", "
                        + expiresAt + ", '" + p + "', '[\"u1\"]', 0)");
                s.executeUpdate("INSERT INTO stream_entries (stream, position, message_id, expires_at) VALUES ('u:u1', " + p + ", '"
                        + id + "', " + expiresAt + ")");
                s.executeUpdate("INSERT INTO recipients (message_id, user_id) VALUES ('" + id + "', 'u1')");
            }
            s.executeUpdate("INSERT INTO streams (stream, epoch, head, trimmed_through) VALUES ('u:u1', 'abcdef01', 3, NULL)");
            // a second stream, made first (SQLite numbers streams by name): each stream's entries stay its own
            s.executeUpdate("INSERT INTO stream_entries (stream, position, message_id, expires_at) VALUES ('*', 1, '"
                    + messageIds.get(1) + "', " + (T0 + HOUR) + ")");
            s.executeUpdate("INSERT INTO streams (stream, epoch, head, trimmed_through) VALUES ('*', 'fedcba98', 1, NULL)");
            if (!c.getAutoCommit()) {
                c.commit();
            }
        }

        try (JdbcMessageStore store = upgrade.get()) {
            Replay inbox = await(store.replay(new ReplayRequest(user("u1"), null, ReplayRequest.Pending.ALL, 10), T0));
            assertThat(inbox.messages()).extracting(StoredMessage::id).containsExactlyElementsOf(messageIds);
            assertThat(inbox.head()).isEqualTo(new StreamPosition(3, "abcdef01"));
            Replay broadcast = await(store.replay(new ReplayRequest(Target.Everyone.INSTANCE, null, ReplayRequest.Pending.ALL, 10), T0));
            assertThat(broadcast.messages()).extracting(StoredMessage::id).containsExactly(messageIds.get(1));
            assertThat(broadcast.head()).isEqualTo(new StreamPosition(1, "fedcba98"));
            Appended next = await(store.append(List.of(toUsers("next", "u1")))).get(0);
            assertThat(next.positions().get(user("u1"))).isEqualTo(new StreamPosition(4, "abcdef01"));

            // the expired front: positions 1 and 2; "next" (T0 + HOUR) expires behind position 3 and is only hidden
            assertThat(await(store.maintain(T0 + HOUR)).expired()).isEqualTo(2);
            Replay after = await(store.replay(new ReplayRequest(user("u1"), null, new StreamPosition(1, "abcdef01"),
                    ReplayRequest.Pending.ALL, 10), T0 + HOUR));
            assertThat(after.messages()).extracting(StoredMessage::id).containsExactly(messageIds.get(2));
            assertThat(after.gap()).isTrue();
            long purgeAt = T0 + HOUR + LIMITS.receiptRetention().toMillis();
            assertThat(await(store.maintain(purgeAt)).purged()).isEqualTo(3); // positions 1, 2 and "next"
            assertThat(await(store.receipt(messageIds.get(0), purgeAt))).isEmpty();
            assertThat(await(store.receipt(messageIds.get(2), purgeAt))).isPresent();
        }
        try (Connection c = upgraded.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT MAX(version) FROM flyway_schema_history WHERE success")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("7");
        }
    }

    /**
     * A V6 database with data, upgraded to V7 (a message to one user keeps that user's status in its own row, with no
     * recipients row): receipts, the pending inbox listings, acks, the cap's dropped mark and the TTL's expiry count
     * answer as before for messages to one user and to several, old and new.
     */
    protected void checkUpgradeFromV6(SqlConnector v6, java.util.function.Supplier<JdbcMessageStore> upgrade,
                                      SqlConnector upgraded) throws Exception {
        String acked = ids.next(T0);
        String waiting = ids.next(T0);
        String toTwo = ids.next(T0);
        String dropped = ids.next(T0);
        try (Connection c = v6.connect(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO streams (stream, epoch, head, trimmed_through) VALUES ('u:u1', 'abcdef01', 3, NULL)");
            s.executeUpdate("INSERT INTO streams (stream, epoch, head, trimmed_through) VALUES ('u:u2', 'abcdef02', 1, NULL)");
            s.executeUpdate("INSERT INTO streams (stream, epoch, head, trimmed_through) VALUES ('u:u3', 'abcdef03', 1, '" + dropped + "')");
            String[][] messages = {{acked, "[\"u1\"]"}, {waiting, "[\"u1\"]"}, {toTwo, "[\"u1\",\"u2\"]"}, {dropped, "[\"u3\"]"}};
            for (String[] m : messages) {
                s.executeUpdate("INSERT INTO messages (id, ts, expires_at, data, users, to_all) VALUES ('" + m[0] + "', " + T0 + ", "
                        + (T0 + HOUR) + ", '\"" + m[0] + "\"', '" + m[1] + "', 0)");
            }
            String[][] entries = {{"u:u1", "1", acked}, {"u:u1", "2", waiting}, {"u:u1", "3", toTwo}, {"u:u2", "1", toTwo}};
            for (String[] e : entries) {
                s.executeUpdate("INSERT INTO stream_entries (stream, position, message_id, expires_at) VALUES ((SELECT "
                        + streamKeyColumn() + " FROM streams WHERE stream = '" + e[0] + "'), " + e[1] + ", '" + e[2] + "', " + (T0 + HOUR) + ")");
            }
            s.executeUpdate("INSERT INTO recipients (message_id, user_id, status, delivered_at, acked_at) VALUES ('" + acked + "', 'u1', 2, "
                    + (T0 + 1) + ", " + (T0 + 2) + ")");
            s.executeUpdate("INSERT INTO recipients (message_id, user_id) VALUES ('" + waiting + "', 'u1')");
            s.executeUpdate("INSERT INTO recipients (message_id, user_id, status, delivered_at) VALUES ('" + toTwo + "', 'u1', 1, "
                    + (T0 + 3) + ")");
            s.executeUpdate("INSERT INTO recipients (message_id, user_id) VALUES ('" + toTwo + "', 'u2')");
            s.executeUpdate("INSERT INTO recipients (message_id, user_id, dropped) VALUES ('" + dropped + "', 'u3', 1)");
            if (!c.getAutoCommit()) {
                c.commit();
            }
        }

        try (JdbcMessageStore store = upgrade.get()) {
            assertThat(await(store.receipt(acked, T0)).orElseThrow().recipients())
                    .containsExactly(new Receipt.Recipient("u1", DeliveryStatus.ACKED, T0 + 1, T0 + 2, null));
            assertThat(await(store.receipt(acked, T0)).orElseThrow().message().users()).containsExactly("u1");
            assertThat(await(store.receipt(waiting, T0)).orElseThrow().recipients())
                    .containsExactly(new Receipt.Recipient("u1", DeliveryStatus.ACCEPTED, null, null, null));
            assertThat(await(store.receipt(toTwo, T0)).orElseThrow().recipients()).containsExactly(
                    new Receipt.Recipient("u1", DeliveryStatus.DELIVERED, T0 + 3, null, null),
                    new Receipt.Recipient("u2", DeliveryStatus.ACCEPTED, null, null, null));
            assertThat(await(store.receipt(dropped, T0)).orElseThrow().recipients())
                    .containsExactly(new Receipt.Recipient("u3", DeliveryStatus.DROPPED, null, null, null));
            assertThat(idsOf(store, user("u1"), ReplayRequest.Pending.UNDELIVERED)).containsExactly(waiting);
            assertThat(idsOf(store, user("u1"), ReplayRequest.Pending.UNACKED)).containsExactly(waiting, toTwo);
            assertThat(idsOf(store, user("u1"), ReplayRequest.Pending.ALL)).containsExactly(acked, waiting, toTwo);

            assertThat(await(store.updateStatus(List.of(new StatusUpdate(waiting, "u1", DeliveryStatus.ACKED, T0 + 4),
                    new StatusUpdate(toTwo, "u2", DeliveryStatus.DELIVERED, T0 + 4),
                    new StatusUpdate(waiting, "u2", DeliveryStatus.ACKED, T0 + 4))))).isEqualTo(2);
            assertThat(idsOf(store, user("u1"), ReplayRequest.Pending.UNACKED)).containsExactly(toTwo);
            assertThat(idsOf(store, user("u2"), ReplayRequest.Pending.UNDELIVERED)).isEmpty();
            StoredMessage next = toUsers("next", "u1");
            assertThat(await(store.append(List.of(next))).get(0).positions().get(user("u1"))).isEqualTo(new StreamPosition(4, "abcdef01"));
            assertThat(idsOf(store, user("u1"), ReplayRequest.Pending.UNDELIVERED)).containsExactly(next.id());
            // the TTL counts the unacked: toTwo for u1 and u2, and next
            assertThat(await(store.maintain(T0 + HOUR)).expired()).isEqualTo(3);
            assertThat(await(store.receipt(waiting, T0 + HOUR)).orElseThrow().recipients())
                    .containsExactly(new Receipt.Recipient("u1", DeliveryStatus.ACKED, T0 + 4, T0 + 4, null));
            assertThat(await(store.receipt(next.id(), T0 + HOUR)).orElseThrow().recipients())
                    .containsExactly(new Receipt.Recipient("u1", DeliveryStatus.EXPIRED, null, null, null));
        }
        try (Connection c = upgraded.connect(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT MAX(version) FROM flyway_schema_history WHERE success")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("7");
            }
            try (ResultSet rs = s.executeQuery("SELECT message_id, user_id FROM recipients ORDER BY user_id")) {
                List<String> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(rs.getString(1) + "/" + rs.getString(2));
                }
                assertThat(rows).as("recipients rows only for the message to two users").containsExactly(toTwo + "/u1", toTwo + "/u2");
            }
        }
    }

    private static List<String> idsOf(JdbcMessageStore store, Target stream, ReplayRequest.Pending pending) {
        return await(store.replay(new ReplayRequest(stream, null, pending, 100), T0)).messages().stream()
                .map(StoredMessage::id).toList();
    }

    /** The column of {@code streams} that {@code stream_entries.stream} holds: its name, or on SQLite its id (V6). */
    protected String streamKeyColumn() {
        return "stream";
    }

    private long entriesOf(String stream) throws SQLException {
        try (Connection c = connect(); java.sql.PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM stream_entries e"
                + " JOIN streams s ON e.stream = s." + streamKeyColumn() + " WHERE s.stream = ?")) {
            s.setString(1, stream);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** A transaction that fails leaves no head behind: the next group continues from the last committed one. */
    @Test
    void aFailedGroupGivesItsPositionsOutAgain() throws Exception {
        store.close();
        try (BreakableStore breakable = openBreakable(JdbcStoreOptions.defaults().withConnectionTimeout(Duration.ofSeconds(2)))) {
            store = breakable.store();
            await(store.append(List.of(toUsers("1", "u1"), toUsers("2", "u1"))));
            breakable.breakDatabase();
            assertThatThrownBy(() -> await(store.append(List.of(toUsers("lost", "u1")))))
                    .hasCauseInstanceOf(StoreUnavailableException.class);
            breakable.repairDatabase();
            assertThat(await(store.append(List.of(toUsers("3", "u1")))).get(0).positions().get(user("u1")).position()).isEqualTo(3);
        }
    }

    @Test
    void aStreamKeepsItsEpochAndPositionsAcrossAReopen() throws Exception {
        Target.Topic news = new Target.Topic("news");
        StoredMessage first = new StoredMessage(ids.next(T0), T0, T0 + HOUR, "1", List.of("u1"), List.of("news"), false, null);
        Appended before = await(store.append(List.of(first))).get(0);

        reopen();

        StoredMessage second = new StoredMessage(ids.next(T0), T0, T0 + HOUR, "2", List.of("u1"), List.of("news"), false, null);
        Appended after = await(store.append(List.of(second))).get(0);
        for (Target stream : List.of(user("u1"), news)) {
            StreamPosition was = before.positions().get(stream);
            assertThat(after.positions().get(stream)).as("%s", stream).isEqualTo(new StreamPosition(was.position() + 1, was.epoch()));
        }
        assertThat(await(store.replay(new ReplayRequest(news, null, ReplayRequest.Pending.ALL, 10), T0)).messages())
                .extracting(m -> m.position(news))
                .containsExactly(before.positions().get(news), after.positions().get(news));
    }

    /** Opens a connection, for tests that write rows as an older version did. */
    @FunctionalInterface
    protected interface SqlConnector {
        Connection connect() throws SQLException;
    }

    /**
     * The V4 upgrade on a database at schema version 2 ({@code v2}): rows written as version 2 did get positions
     * per stream in id order and a new epoch per stream, the trims recorded before still report a gap, and the
     * next append continues each stream.
     */
    protected void checkUpgradeFromV2(SqlConnector v2, java.util.function.Supplier<JdbcMessageStore> upgrade) throws Exception {
        List<String> messageIds = new ArrayList<>();
        try (Connection c = v2.connect(); Statement s = c.createStatement()) {
            for (int i = 0; i < 3; i++) {
                String id = ids.next(T0);
                messageIds.add(id);
                s.executeUpdate("INSERT INTO messages (id, ts, expires_at, data, users, to_all) VALUES ('" + id + "', " + T0 + ", "
                        + (T0 + HOUR) + ", '" + i + "', '[\"u1\"]', " + (i == 2 ? 1 : 0) + ")");
                s.executeUpdate("INSERT INTO stream_entries (stream, message_id, expires_at) VALUES ('u:u1', '" + id + "', " + (T0 + HOUR) + ")");
                s.executeUpdate("INSERT INTO recipients (message_id, user_id) VALUES ('" + id + "', 'u1')");
            }
            s.executeUpdate("INSERT INTO stream_entries (stream, message_id, expires_at) VALUES ('*', '" + messageIds.get(2) + "', " + (T0 + HOUR) + ")");
            s.executeUpdate("INSERT INTO streams (stream, trimmed_through) VALUES ('u:u1', '" + messageIds.get(0).substring(0, 10) + "')");
            if (!c.getAutoCommit()) {
                c.commit();
            }
        }

        try (JdbcMessageStore upgraded = upgrade.get()) {
            Replay inbox = await(upgraded.replay(new ReplayRequest(user("u1"), null, ReplayRequest.Pending.ALL, 10), T0));
            assertThat(inbox.messages()).extracting(StoredMessage::id).containsExactlyElementsOf(messageIds);
            assertThat(inbox.messages()).extracting(m -> m.position(user("u1")).position()).containsExactly(1L, 2L, 3L);
            String epoch = inbox.messages().get(0).position(user("u1")).epoch();
            assertThat(epoch).matches("[0-9a-f]{8}");
            assertThat(inbox.messages()).extracting(m -> m.position(user("u1")).epoch()).containsOnly(epoch);
            Replay broadcast = await(upgraded.replay(new ReplayRequest(Target.Everyone.INSTANCE, null, ReplayRequest.Pending.ALL, 10), T0));
            assertThat(broadcast.messages()).extracting(m -> m.position(Target.Everyone.INSTANCE).position()).containsExactly(1L);
            assertThat(await(upgraded.replay(new ReplayRequest(user("u1"), "0", ReplayRequest.Pending.ALL, 10), T0)).gap())
                    .as("the trim recorded before the upgrade still reports a gap").isTrue();
            Appended next = await(upgraded.append(List.of(toUsers("next", "u1")))).get(0);
            assertThat(next.positions().get(user("u1"))).isEqualTo(new StreamPosition(4, epoch));
        }
    }

    /**
     * A V4 database (entries keyed by id, with positions that need not follow the ids: positions are commit order)
     * upgraded to the latest schema: positions, epochs, heads and trims are kept; replay by position and by id
     * cursor reads what it read before; the cap drops the first positions; the next append continues the head.
     */
    protected void checkUpgradeFromV4(SqlConnector v4, java.util.function.Supplier<JdbcMessageStore> upgrade) throws Exception {
        List<String> messageIds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            messageIds.add(ids.next(T0));
        }
        // committed in the order 2, 0, 1: positions 1, 2, 3 go to ids[2], ids[0], ids[1]
        List<String> byPosition = List.of(messageIds.get(2), messageIds.get(0), messageIds.get(1));
        try (Connection c = v4.connect(); Statement s = c.createStatement()) {
            for (int p = 0; p < 3; p++) {
                String id = byPosition.get(p);
                s.executeUpdate("INSERT INTO messages (id, ts, expires_at, data, users, to_all) VALUES ('" + id + "', " + T0 + ", "
                        + (T0 + HOUR) + ", '" + p + "', '[\"u1\"]', 0)");
                s.executeUpdate("INSERT INTO stream_entries (stream, message_id, expires_at, position) VALUES ('u:u1', '" + id + "', "
                        + (T0 + HOUR) + ", " + (p + 1) + ")");
                s.executeUpdate("INSERT INTO recipients (message_id, user_id) VALUES ('" + id + "', 'u1')");
            }
            s.executeUpdate("INSERT INTO streams (stream, epoch, head, trimmed_through) VALUES ('u:u1', 'abcdef01', 3, '"
                    + messageIds.get(0).substring(0, 10) + "')");
            if (!c.getAutoCommit()) {
                c.commit();
            }
        }

        try (JdbcMessageStore upgraded = upgrade.get()) {
            Replay inbox = await(upgraded.replay(new ReplayRequest(user("u1"), null, ReplayRequest.Pending.ALL, 10), T0));
            assertThat(inbox.messages()).extracting(StoredMessage::id).containsExactlyElementsOf(byPosition);
            assertThat(inbox.messages()).extracting(m -> m.position(user("u1"))).containsExactly(
                    new StreamPosition(1, "abcdef01"), new StreamPosition(2, "abcdef01"), new StreamPosition(3, "abcdef01"));
            assertThat(inbox.head()).isEqualTo(new StreamPosition(3, "abcdef01"));
            Replay afterFirst = await(upgraded.replay(new ReplayRequest(user("u1"), null, new StreamPosition(1, "abcdef01"),
                    ReplayRequest.Pending.ALL, 10), T0));
            assertThat(afterFirst.messages()).extracting(StoredMessage::id).containsExactlyElementsOf(byPosition.subList(1, 3));
            assertThat(afterFirst.gap()).isFalse();
            Replay afterId = await(upgraded.replay(new ReplayRequest(user("u1"), byPosition.get(1), ReplayRequest.Pending.ALL, 10), T0));
            assertThat(afterId.messages()).extracting(StoredMessage::id).containsExactly(byPosition.get(2));
            assertThat(afterId.gap()).isFalse();
            assertThat(await(upgraded.replay(new ReplayRequest(user("u1"), "0", ReplayRequest.Pending.ALL, 10), T0)).gap())
                    .as("the trim recorded before the upgrade still reports a gap").isTrue();
            Appended next = await(upgraded.append(List.of(toUsers("next", "u1")))).get(0);
            assertThat(next.positions().get(user("u1"))).isEqualTo(new StreamPosition(4, "abcdef01"));
        }
    }

    @Test
    void migrationsRunOnceAndReopeningKeepsTheSchema() throws Exception {
        StoredMessage m = toUsers("1", "u1");
        await(store.append(List.of(m)));
        reopen();
        reopen();
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version, success FROM flyway_schema_history WHERE version IS NOT NULL")) {
            List<String> applied = new ArrayList<>();
            while (rs.next()) {
                applied.add(rs.getString(1) + ":" + rs.getBoolean(2));
            }
            assertThat(applied).containsExactly("1:true", "2:true", "3:true", "4:true", "5:true", "6:true", "7:true");
        }
        assertThat(replayIds(user("u1"), null, ReplayRequest.Pending.ALL, T0)).containsExactly(m.id());
    }

    @Test
    void concurrentAppendsShareTransactionsAndCompleteInCallOrder() throws Exception {
        int calls = 2_000;
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<?>> futures = new ArrayList<>();
        long commitsBefore = jdbcStore().commits();
        WriteLock lock = holdWriteLock();
        try {
            // the writer is stuck on the lock with whatever it took first; everything else queues behind it
            for (int i = 0; i < calls; i++) {
                int n = i;
                futures.add(store.append(List.of(toUsers(String.valueOf(i), "u" + (i % 50)))).thenRun(() -> order.add(n)));
            }
            assertThat(futures).noneMatch(CompletableFuture::isDone); // nothing completes before its commit
        } finally {
            lock.release();
        }
        futures.forEach(MessageStoreContract::await);
        assertThat(order).hasSize(calls).isSorted();
        // what the writer took before the lock, then the rest (at most 2,000 messages per transaction)
        assertThat(jdbcStore().commits() - commitsBefore).isBetween(1L, 3L);
        assertThat(replayIds(user("u7"), null, ReplayRequest.Pending.ALL, T0)).hasSize(calls / 50);
    }

    @Test
    void callsCommittedInOneTransactionTakeEffectInCallOrder() throws Exception {
        StoredMessage m = toUsers("1", "u1");
        CompletableFuture<Integer> tooEarly;
        CompletableFuture<List<Appended>> appended;
        CompletableFuture<Integer> acked;
        long commitsBefore = jdbcStore().commits();
        WriteLock lock = holdWriteLock();
        try {
            CompletableFuture<Maintenance> first = store.maintain(T0); // the writer takes this one and waits for the lock
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> jdbcStore().queuedMessages() == 0);
            tooEarly = store.updateStatus(List.of(new StatusUpdate(m.id(), "u1", DeliveryStatus.DELIVERED, T0)));
            appended = store.append(List.of(m));
            acked = store.updateStatus(List.of(new StatusUpdate(m.id(), "u1", DeliveryStatus.ACKED, T0 + 1)));
            assertThat(first).isNotDone();
        } finally {
            lock.release();
        }
        assertThat(await(tooEarly)).isZero(); // the message did not exist yet
        assertThat(await(appended)).extracting(Appended::id, Appended::duplicate).containsExactly(tuple(m.id(), false));
        assertThat(await(acked)).isEqualTo(1);
        assertThat(jdbcStore().commits() - commitsBefore).isEqualTo(2); // the blocked pass, then the three calls together
        Receipt.Recipient u1 = recipient(await(store.receipt(m.id(), T0 + 2)).orElseThrow(), "u1");
        assertThat(u1.status()).isEqualTo(DeliveryStatus.ACKED);
        assertThat(u1.deliveredAt()).isEqualTo(T0 + 1);
    }

    @Test
    void anOverloadedStoreRefusesNewWritesInTheirTurn() throws Exception {
        store.close();
        store = openStore(LIMITS, JdbcStoreOptions.defaults().withMaxQueuedMessages(3));
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<List<Appended>>> calls = new ArrayList<>();
        WriteLock lock = holdWriteLock();
        try {
            calls.add(store.append(List.of(toUsers("0", "u1"))));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> jdbcStore().queuedMessages() == 0); // the writer holds it
            calls.add(store.append(List.of(toUsers("1", "u1"), toUsers("2", "u1"))));
            calls.add(store.append(List.of(toUsers("3", "u1"))));
            calls.add(store.append(List.of(toUsers("4", "u1")))); // a fourth queued message is one too many
            for (int i = 0; i < calls.size(); i++) {
                int n = i;
                calls.get(i).whenComplete((r, e) -> order.add(n));
            }
        } finally {
            lock.release();
        }
        // The order is read before any get(): a thread waiting in get() helps run a completed future's callbacks,
        // and one that took callback 1 could run it after the completion thread ran 2 and 3 (seen 1 run in 60).
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> order.size() == 4);
        assertThat(order).containsExactly(0, 1, 2, 3);
        assertThat(await(calls.get(0))).hasSize(1);
        assertThat(await(calls.get(1))).hasSize(2);
        assertThat(await(calls.get(2))).hasSize(1);
        assertThatThrownBy(() -> await(calls.get(3))).hasCauseInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("overloaded");
        assertThat(replayIds(user("u1"), null, ReplayRequest.Pending.ALL, T0)).hasSize(4);
    }

    @Test
    void aDatabaseThatGoesAwayFailsWritesWithNothingHalfWrittenAndTheStoreRecovers() throws Exception {
        store.close();
        try (BreakableStore breakable = openBreakable(JdbcStoreOptions.defaults().withConnectionTimeout(Duration.ofSeconds(2)))) {
            store = breakable.store();
            StoredMessage before = toUsers("before", "u1");
            await(store.append(List.of(before)));

            breakable.breakDatabase();
            List<StoredMessage> lost = List.of(toUsers("lost-1", "u1", "u2"), withKey(toUsers("lost-2", "u1"), "key-of-a-lost-message"),
                    toUsers("lost-3", "u1"));
            CompletableFuture<List<Appended>> two = store.append(lost.subList(0, 2));
            CompletableFuture<List<Appended>> one = store.append(lost.subList(2, 3));
            CompletableFuture<Integer> status = store.updateStatus(List.of(new StatusUpdate(before.id(), "u1", DeliveryStatus.ACKED, T0)));
            for (CompletableFuture<?> f : List.of(two, one, status)) {
                assertThatThrownBy(() -> await(f)).isInstanceOf(CompletionException.class)
                        .hasCauseInstanceOf(StoreUnavailableException.class);
            }
            assertThat(jdbcStore().failedCommits()).isPositive();

            breakable.repairDatabase();
            StoredMessage after = withKey(toUsers("after", "u1"), "key-of-a-lost-message");
            assertThat(await(store.append(List.of(after)))).extracting(Appended::id, Appended::duplicate).containsExactly(tuple(after.id(), false));
            assertThat(replayIds(user("u1"), null, ReplayRequest.Pending.ALL, T0)).containsExactly(before.id(), after.id());
            assertThat(replayIds(user("u2"), null, ReplayRequest.Pending.ALL, T0)).isEmpty();
            assertThat(await(store.receipt(lost.get(0).id(), T0))).isEmpty();
            assertThat(recipient(await(store.receipt(before.id(), T0)).orElseThrow(), "u1").status()).isEqualTo(DeliveryStatus.ACCEPTED);
        }
    }

    @Test
    void closingFinishesQueuedWritesThenStopsItsThreads() throws Exception {
        store.close(); // an SQLite file takes one store at a time
        JdbcMessageStore other = openStore(LIMITS, JdbcStoreOptions.defaults());
        List<CompletableFuture<List<Appended>>> queued = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            queued.add(other.append(List.of(toUsers(String.valueOf(i), "closing"))));
        }
        await(other.replay(new ReplayRequest(user("closing"), null, ReplayRequest.Pending.ALL, 1), T0));
        assertThat(threadsOf(other)).contains(other.name() + "-writer");
        other.close();
        assertThat(queued).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        assertThatThrownBy(() -> await(other.replay(new ReplayRequest(user("closing"), null, ReplayRequest.Pending.ALL, 1), T0)))
                .hasCauseInstanceOf(StoreUnavailableException.class);
        // the pool's own threads (housekeeper, connection adder) end shortly after the pool closes
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(threadsOf(other)).isEmpty());
        store = openStore(LIMITS, JdbcStoreOptions.defaults());
        assertThat(replayIds(user("closing"), null, ReplayRequest.Pending.ALL, T0)).hasSize(100);
    }

    private static Set<String> threadsOf(JdbcMessageStore store) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith(store.name() + "-")).collect(Collectors.toSet());
    }

    @Test
    void emptyCallsCompleteWithEmptyResults() {
        assertThat(await(store.append(List.of()))).isEmpty();
        assertThat(await(store.updateStatus(List.of()))).isZero();
        assertThat(await(store.maintain(T0))).isEqualTo(new Maintenance(0, 0, 0));
    }

    @Test
    void describeNamesTheDatabase() {
        assertThat(store.describe()).isNotBlank().doesNotContain("password");
    }
}
