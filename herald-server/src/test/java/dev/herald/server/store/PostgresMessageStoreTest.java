package dev.herald.server.store;

import dev.herald.core.message.Target;
import dev.herald.core.store.Appended;
import dev.herald.core.store.MessageStore;
import dev.herald.core.store.Receipt;
import dev.herald.core.store.ReplayRequest;
import dev.herald.core.store.StoreLimits;
import dev.herald.core.store.StoreUnavailableException;
import dev.herald.core.store.StoredMessage;
import dev.herald.server.testing.TestPostgres;
import dev.herald.server.testing.ToxicProxy;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The store on a real PostgreSQL: an embedded one, or the server {@code HERALD_TEST_POSTGRES_URL} names (see
 * {@link TestPostgres}). This class gets a schema of its own, dropped afterwards. Without a reachable server the
 * tests fail, they are not skipped.
 */
class PostgresMessageStoreTest extends JdbcMessageStoreContract {
    static final URI SERVER = TestPostgres.server();
    static final String SCHEMA = "herald_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    @BeforeAll
    static void requirePostgres() {
        try (Connection c = plainConnection(null)) {
            assertThat(c.isValid(5)).isTrue();
        } catch (SQLException e) {
            throw new AssertionError("PostgreSQL is not reachable at " + SERVER + ", " + TestPostgres.describe()
                    + " (" + e.getMessage() + ")", e);
        }
    }

    @AfterAll
    static void dropSchema() throws SQLException {
        try (Connection c = plainConnection(null); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        }
    }

    static Connection plainConnection(String schema) throws SQLException {
        String url = "jdbc:postgresql://" + SERVER.getHost() + ":" + port() + SERVER.getPath() + "?connectTimeout=5"
                + (schema == null ? "" : "&currentSchema=" + schema);
        return DriverManager.getConnection(url, SERVER.getUserInfo(), "");
    }

    static int port() {
        return SERVER.getPort() < 0 ? 5432 : SERVER.getPort();
    }

    static String storeUrl(int port) {
        return "postgresql://" + SERVER.getUserInfo() + "@" + SERVER.getHost() + ":" + port + SERVER.getPath() + "?currentSchema=" + SCHEMA;
    }

    @Test
    void upgradingNumbersExistingEntriesPerStreamInIdOrderAndKeepsTrims() throws Exception {
        String schema = SCHEMA + "_v2";
        String url = "jdbc:postgresql://" + SERVER.getHost() + ":" + port() + SERVER.getPath();
        try {
            org.flywaydb.core.Flyway.configure().dataSource(url, SERVER.getUserInfo(), "").schemas(schema).createSchemas(true)
                    .locations("classpath:db/postgresql").target("2").load().migrate();
            checkUpgradeFromV2(() -> plainConnection(schema), () -> JdbcMessageStore.postgres(
                    "postgresql://" + SERVER.getUserInfo() + "@" + SERVER.getHost() + ":" + port() + SERVER.getPath()
                            + "?currentSchema=" + schema, LIMITS, JdbcStoreOptions.defaults()));
        } finally {
            try (Connection c = plainConnection(null); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    @Test
    void upgradingFromV4KeepsPositionsEpochsHeadsAndTrims() throws Exception {
        String schema = SCHEMA + "_v4";
        String url = "jdbc:postgresql://" + SERVER.getHost() + ":" + port() + SERVER.getPath();
        try {
            org.flywaydb.core.Flyway.configure().dataSource(url, SERVER.getUserInfo(), "").schemas(schema).createSchemas(true)
                    .locations("classpath:db/postgresql").target("4").load().migrate();
            checkUpgradeFromV4(() -> plainConnection(schema), () -> JdbcMessageStore.postgres(
                    "postgresql://" + SERVER.getUserInfo() + "@" + SERVER.getHost() + ":" + port() + SERVER.getPath()
                            + "?currentSchema=" + schema, LIMITS, JdbcStoreOptions.defaults()));
        } finally {
            try (Connection c = plainConnection(null); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    @Test
    void upgradingFromV6MovesSingleRecipientsIntoTheirMessages() throws Exception {
        String schema = SCHEMA + "_v6";
        String url = "jdbc:postgresql://" + SERVER.getHost() + ":" + port() + SERVER.getPath();
        try {
            org.flywaydb.core.Flyway.configure().dataSource(url, SERVER.getUserInfo(), "").schemas(schema).createSchemas(true)
                    .locations("classpath:db/postgresql").target("6").load().migrate();
            checkUpgradeFromV6(() -> plainConnection(schema), () -> JdbcMessageStore.postgres(
                    "postgresql://" + SERVER.getUserInfo() + "@" + SERVER.getHost() + ":" + port() + SERVER.getPath()
                            + "?currentSchema=" + schema, LIMITS, JdbcStoreOptions.defaults()), () -> plainConnection(schema));
        } finally {
            try (Connection c = plainConnection(null); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    @Test
    void upgradingFromV5KeepsTheDataAndDropsTheExpiryIndexes() throws Exception {
        String schema = SCHEMA + "_v5";
        String url = "jdbc:postgresql://" + SERVER.getHost() + ":" + port() + SERVER.getPath();
        try {
            org.flywaydb.core.Flyway.configure().dataSource(url, SERVER.getUserInfo(), "").schemas(schema).createSchemas(true)
                    .locations("classpath:db/postgresql").target("5").load().migrate();
            checkUpgradeFromV5(() -> plainConnection(schema), () -> JdbcMessageStore.postgres(
                    "postgresql://" + SERVER.getUserInfo() + "@" + SERVER.getHost() + ":" + port() + SERVER.getPath()
                            + "?currentSchema=" + schema, LIMITS, JdbcStoreOptions.defaults()), () -> plainConnection(schema));
            try (Connection c = plainConnection(schema); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT indexname FROM pg_indexes WHERE schemaname = '" + schema
                         + "' AND indexname LIKE '%expires_at'")) {
                assertThat(rs.next()).as("no index by expiry left").isFalse();
            }
        } finally {
            try (Connection c = plainConnection(null); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    @Override
    protected MessageStore createStore(StoreLimits limits) throws SQLException {
        JdbcMessageStore store = openStore(limits, JdbcStoreOptions.defaults());
        // one schema for the class: each test starts from empty tables (and the migration runs again, as a no-op)
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE messages, stream_entries, recipients, streams");
        }
        return store;
    }

    @Override
    protected JdbcMessageStore openStore(StoreLimits limits, JdbcStoreOptions options) {
        return JdbcMessageStore.postgres(storeUrl(port()), limits, options);
    }

    @Override
    protected Connection connect() throws SQLException {
        return plainConnection(SCHEMA);
    }

    /** Another session holds {@code LOCK TABLE messages IN EXCLUSIVE MODE}: inserts wait, reads go on. */
    @Override
    protected WriteLock holdWriteLock() throws SQLException {
        Connection c = connect();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("LOCK TABLE messages IN EXCLUSIVE MODE");
        }
        return () -> {
            try (c) {
                c.commit();
            }
        };
    }

    /** Reaches the database through a {@link ToxicProxy}: broken = every connection cut, new ones refused. */
    @Override
    protected BreakableStore openBreakable(JdbcStoreOptions options) throws Exception {
        ToxicProxy proxy = new ToxicProxy(SERVER.getHost(), port());
        JdbcMessageStore breakable = JdbcMessageStore.postgres(
                "postgresql://" + SERVER.getUserInfo() + "@127.0.0.1:" + proxy.port() + SERVER.getPath() + "?currentSchema=" + SCHEMA,
                LIMITS, options);
        return new BreakableStore() {
            @Override
            public JdbcMessageStore store() {
                return breakable;
            }

            @Override
            public void breakDatabase() {
                proxy.cut();
            }

            @Override
            public void repairDatabase() {
                proxy.restore();
            }

            @Override
            public void close() {
                breakable.close();
                proxy.close();
            }
        };
    }

    @Test
    void aConnectionLostInTheMiddleOfATransactionLeavesNothingOfIt() throws Exception {
        List<StoredMessage> batch = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            batch.add(withKey(toUsers(String.valueOf(i), "u1", "u2"), "mid-" + i));
        }
        brokenMidwayLeavesNothing(batch);
    }

    // without keys the group's first statement is a COPY, which must open the transaction as an INSERT does
    @Test
    void aConnectionLostInTheMiddleOfATransactionOfMessagesWithoutKeysLeavesNothingOfIt() throws Exception {
        List<StoredMessage> batch = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            batch.add(toUsers(String.valueOf(i), "u1", "u2"));
        }
        brokenMidwayLeavesNothing(batch);
    }

    private void brokenMidwayLeavesNothing(List<StoredMessage> batch) throws Exception {
        store.close();
        try (BreakableStore breakable = openBreakable(JdbcStoreOptions.defaults().withConnectionTimeout(Duration.ofSeconds(2)))) {
            store = breakable.store();
            CompletableFuture<List<Appended>> append;
            try (Connection locker = connect()) {
                locker.setAutoCommit(false);
                try (Statement s = locker.createStatement()) {
                    s.execute("LOCK TABLE recipients IN EXCLUSIVE MODE");
                }
                append = store.append(batch);
                // the writer has inserted the messages and their stream entries and now waits for the recipients table
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> waitingForLockOn("recipients"));
                breakable.breakDatabase();
                assertThatThrownBy(() -> await(append)).isInstanceOf(CompletionException.class)
                        .hasCauseInstanceOf(StoreUnavailableException.class);
                locker.commit();
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !waitingForLockOn("recipients"));
            try (Connection c = connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT (SELECT COUNT(*) FROM messages) + (SELECT COUNT(*) FROM stream_entries)"
                         + " + (SELECT COUNT(*) FROM recipients)")) {
                rs.next();
                assertThat(rs.getLong(1)).as("rows left by the broken transaction").isZero();
            }
            breakable.repairDatabase();
            assertThat(await(store.append(batch))).extracting(Appended::duplicate).containsOnly(false);
            assertThat(replayIds(user("u2"), null, ReplayRequest.Pending.ALL, T0)).hasSize(batch.size());
        }
    }

    private boolean waitingForLockOn(String table) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM pg_locks WHERE NOT granted AND relation = '"
                     + SCHEMA + "." + table + "'::regclass")) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }

    @Test
    void describeShowsTheUrlWithoutItsPassword() {
        String withPassword = "postgresql://" + SERVER.getUserInfo() + ":s3cret@" + SERVER.getHost() + ":" + port() + SERVER.getPath()
                + "?currentSchema=" + SCHEMA;
        try (MessageStore other = MessageStores.open(withPassword, null, LIMITS)) {
            assertThat(other.describe()).isEqualTo("postgresql://" + SERVER.getUserInfo() + "@" + SERVER.getHost() + ":" + port()
                    + SERVER.getPath() + "?currentSchema=" + SCHEMA).doesNotContain("s3cret");
        }
    }

    @Test
    void theDriversOwnUrlFormWorksToo() {
        String jdbc = "jdbc:postgresql://" + SERVER.getHost() + ":" + port() + SERVER.getPath() + "?user=" + SERVER.getUserInfo()
                + "&password=s3cret&currentSchema=" + SCHEMA;
        try (MessageStore other = MessageStores.open(jdbc, null, LIMITS)) {
            assertThat(other.describe()).doesNotContain("s3cret").contains("password=***");
            StoredMessage m = toUsers("1", "u1");
            await(other.append(List.of(m)));
            assertThat(replayIds(user("u1"), null, ReplayRequest.Pending.ALL, T0)).containsExactly(m.id());
        }
    }

    /**
     * With the driver's reWriteBatchedInserts a JDBC batch reports no count per row; the idempotency check must not
     * depend on one (it reads the inserted ids back), so the option is safe on a store URL.
     */
    @Test
    void rewrittenBatchesKeepRepeatedKeysAnsweredWithTheFirstMessage() {
        try (MessageStore rewriting = JdbcMessageStore.postgres(storeUrl(port()) + "&reWriteBatchedInserts=true", LIMITS,
                JdbcStoreOptions.defaults())) {
            StoredMessage first = withKey(toUsers("1", "u1"), "order-9");
            StoredMessage fresh = toUsers("2", "u1");
            await(rewriting.append(List.of(first)));
            List<Appended> again = await(rewriting.append(List.of(withKey(toUsers("1", "u1"), "order-9"), fresh)));
            assertThat(again.get(0).duplicate()).isTrue();
            assertThat(again.get(0).id()).isEqualTo(first.id());
            assertThat(again.get(1).duplicate()).isFalse();
            assertThat(replayIds(user("u1"), null, ReplayRequest.Pending.ALL, T0)).containsExactly(first.id(), fresh.id());
        }
    }

    // binary COPY carries the rows of messages without a key, entries and recipients: no escaping, exact types
    @Test
    void rowsWrittenByBinaryCopyReadBackUnchanged() {
        String data = "{\"text\":\"tab\\t newline\\n quote \\\" backslash \\\\ 中文 😀\"}";
        StoredMessage m = new StoredMessage(ids.next(T0), T0, T0 + HOUR, data, List.of("ü-1", "u\t2"), List.of("néws"), true, null);
        StoredMessage solo = new StoredMessage(ids.next(T0), T0, T0 + HOUR, "\"\\\"", List.of("ü-1"), List.of(), false, null);
        await(store.append(List.of(m, solo)));
        assertThat(await(store.receipt(m.id(), T0)).orElseThrow().message()).isEqualTo(m);
        assertThat(await(store.receipt(m.id(), T0)).orElseThrow().recipients()).extracting(Receipt.Recipient::userId)
                .containsExactlyInAnyOrder("ü-1", "u\t2");
        assertThat(await(store.receipt(solo.id(), T0)).orElseThrow().message()).isEqualTo(solo);
        assertThat(replayIds(user("ü-1"), null, ReplayRequest.Pending.ALL, T0)).containsExactly(m.id(), solo.id());
        assertThat(replayIds(user("u\t2"), null, ReplayRequest.Pending.ALL, T0)).containsExactly(m.id());
        assertThat(replayIds(new Target.Topic("néws"), null, ReplayRequest.Pending.ALL, T0)).containsExactly(m.id());
        assertThat(replayIds(Target.Everyone.INSTANCE, null, ReplayRequest.Pending.ALL, T0)).containsExactly(m.id());
    }

    // several nodes share one PostgreSQL database (an SQLite file takes one store: SqliteMessageStoreTest)
    @Test
    void twoStoresOnOneDatabaseGiveOneStreamGapFreePositions() throws Exception {
        int perStore = 100;
        List<CompletableFuture<List<Appended>>> results = new ArrayList<>();
        try (MessageStore other = openStore(LIMITS, JdbcStoreOptions.defaults())) {
            for (int i = 0; i < perStore; i++) {
                results.add(store.append(List.of(toUsers("mine", "u1"))));
                results.add(other.append(List.of(toUsers("theirs", "u1"))));
            }
            List<Long> positions = results.stream().map(f -> await(f).get(0).positions().get(user("u1")).position()).sorted().toList();
            assertThat(positions).isEqualTo(java.util.stream.LongStream.rangeClosed(1, 2L * perStore).boxed().toList());
        }
    }

    @Test
    void twoStoresOnOneDatabaseAgreeOnIdempotencyKeys() throws Exception {
        int keys = 200;
        try (MessageStore other = openStore(LIMITS, JdbcStoreOptions.defaults())) {
            List<StoredMessage> mine = new ArrayList<>();
            List<StoredMessage> theirs = new ArrayList<>();
            List<CompletableFuture<List<Appended>>> myResults = new ArrayList<>();
            List<CompletableFuture<List<Appended>>> theirResults = new ArrayList<>();
            for (int i = 0; i < keys; i++) {
                mine.add(withKey(toUsers("mine", "u1"), "k" + i));
                theirs.add(withKey(toUsers("theirs", "u1"), "k" + i));
                myResults.add(store.append(List.of(mine.get(i))));
                theirResults.add(other.append(List.of(theirs.get(i))));
            }
            for (int i = 0; i < keys; i++) {
                Appended a = await(myResults.get(i)).get(0);
                Appended b = await(theirResults.get(i)).get(0);
                assertThat(a.id()).as("key k%d", i).isEqualTo(b.id());
                assertThat(a.duplicate()).as("key k%d", i).isNotEqualTo(b.duplicate());
            }
        }
        assertThat(replayIds(user("u1"), null, ReplayRequest.Pending.ALL, T0)).hasSize(keys);
    }
}
