package dev.herald.server.store;

import dev.herald.core.store.Appended;
import dev.herald.core.store.MessageStore;
import dev.herald.core.store.Replay;
import dev.herald.core.store.ReplayRequest;
import dev.herald.core.store.StoreLimits;
import dev.herald.core.store.StoreUnavailableException;
import dev.herald.core.store.StoredMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

class SqliteMessageStoreTest extends JdbcMessageStoreContract {
    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("herald.db");
    }

    @Override
    protected MessageStore createStore(StoreLimits limits) {
        return openStore(limits, JdbcStoreOptions.defaults());
    }

    @Override
    protected JdbcMessageStore openStore(StoreLimits limits, JdbcStoreOptions options) {
        return JdbcMessageStore.sqlite(file(), limits, options);
    }

    @Override
    protected String streamKeyColumn() {
        return "id";
    }

    @Override
    protected Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file());
    }

    @Test
    void upgradingNumbersExistingEntriesPerStreamInIdOrderAndKeepsTrims() throws Exception {
        Path old = dir.resolve("v2.db");
        org.flywaydb.core.Flyway.configure().dataSource("jdbc:sqlite:" + old, null, null)
                .locations("classpath:db/sqlite").target("2").load().migrate();
        checkUpgradeFromV2(() -> DriverManager.getConnection("jdbc:sqlite:" + old),
                () -> JdbcMessageStore.sqlite(old, LIMITS, JdbcStoreOptions.defaults()));
    }

    @Test
    void upgradingFromV4KeepsPositionsEpochsHeadsAndTrims() throws Exception {
        Path old = dir.resolve("v4.db");
        org.flywaydb.core.Flyway.configure().dataSource("jdbc:sqlite:" + old, null, null)
                .locations("classpath:db/sqlite").target("4").load().migrate();
        checkUpgradeFromV4(() -> DriverManager.getConnection("jdbc:sqlite:" + old),
                () -> JdbcMessageStore.sqlite(old, LIMITS, JdbcStoreOptions.defaults()));
    }

    @Test
    void upgradingFromV6MovesSingleRecipientsIntoTheirMessages() throws Exception {
        Path old = dir.resolve("v6.db");
        org.flywaydb.core.Flyway.configure().dataSource("jdbc:sqlite:" + old, null, null)
                .locations("classpath:db/sqlite").target("6").load().migrate();
        checkUpgradeFromV6(() -> DriverManager.getConnection("jdbc:sqlite:" + old),
                () -> JdbcMessageStore.sqlite(old, LIMITS, JdbcStoreOptions.defaults()),
                () -> DriverManager.getConnection("jdbc:sqlite:" + old));
    }

    @Test
    void upgradingFromV5KeepsTheDataAndDropsTheExpiryIndexes() throws Exception {
        Path old = dir.resolve("v5.db");
        org.flywaydb.core.Flyway.configure().dataSource("jdbc:sqlite:" + old, null, null)
                .locations("classpath:db/sqlite").target("5").load().migrate();
        checkUpgradeFromV5(() -> DriverManager.getConnection("jdbc:sqlite:" + old),
                () -> JdbcMessageStore.sqlite(old, LIMITS, JdbcStoreOptions.defaults()),
                () -> DriverManager.getConnection("jdbc:sqlite:" + old));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + old); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE '%expires_at'")) {
            assertThat(rs.next()).as("no index by expiry left").isFalse();
        }
    }

    /** Another connection (as another process would) holds the write lock: {@code BEGIN EXCLUSIVE}. */
    @Override
    protected WriteLock holdWriteLock() throws SQLException {
        Connection c = connect();
        try (Statement s = c.createStatement()) {
            s.execute("BEGIN EXCLUSIVE");
        }
        return () -> {
            try (c; Statement s = c.createStatement()) {
                s.execute("ROLLBACK");
            }
        };
    }

    /** Broken: another connection holds the write lock longer than the store's busy timeout. */
    @Override
    protected BreakableStore openBreakable(JdbcStoreOptions options) {
        JdbcMessageStore breakable = openStore(LIMITS, options);
        return new BreakableStore() {
            private WriteLock lock;

            @Override
            public JdbcMessageStore store() {
                return breakable;
            }

            @Override
            public void breakDatabase() throws SQLException {
                lock = holdWriteLock();
            }

            @Override
            public void repairDatabase() throws Exception {
                lock.release();
            }

            @Override
            public void close() {
                breakable.close();
            }
        };
    }

    /** Two writers on one file would give out the same positions (heads are kept in memory): the second is refused. */
    @Test
    void aSecondStoreOnTheSameFileIsRefusedUntilTheFirstCloses() {
        assertThatThrownBy(() -> openStore(LIMITS, JdbcStoreOptions.defaults()).close())
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining(file().toString()).hasMessageContaining("in use by another Herald")
                .hasMessageContaining("postgresql://");
        store.close();
        store = openStore(LIMITS, JdbcStoreOptions.defaults());
        assertThat(store.describe()).contains(file().toString());
    }

    @Test
    void describeNamesTheFileAndTheSyncMode() {
        assertThat(store.describe()).isEqualTo("sqlite:" + file().toAbsolutePath() + " (WAL, synchronous=FULL)");
    }

    @Test
    void aFullDiskFailsTheWholeGroupAndFreedSpaceMakesTheStoreWritableAgain() throws Exception {
        store.close();
        // max_page_count makes SQLite fail with SQLITE_FULL as a full disk would, part-way through a transaction
        store = openStore(LIMITS, JdbcStoreOptions.defaults().withSqliteMaxBytes(240 * 1024));
        String kilobyte = "\"" + "x".repeat(1_000) + "\"";
        List<StoredMessage> committed = new ArrayList<>();
        Throwable failure = null;
        List<StoredMessage> failed = List.of();
        for (int round = 0; round < 100 && failure == null; round++) {
            List<StoredMessage> batch = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                batch.add(new StoredMessage(ids.next(T0), T0, T0 + 1000, kilobyte, List.of("u" + round), List.of(), false, null));
            }
            failure = catchThrowable(() -> await(store.append(batch)));
            if (failure == null) {
                committed.addAll(batch);
            } else {
                failed = batch;
            }
        }
        assertThat(failure).as("the database never filled up").isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(StoreUnavailableException.class);
        assertThat(failure.getCause()).hasMessageContaining("full");
        assertThat(committed).isNotEmpty();
        for (StoredMessage m : failed) {
            assertThat(await(store.receipt(m.id(), T0))).isEmpty();
        }
        assertThat(replayIds(user("u0"), null, ReplayRequest.Pending.ALL, T0)).hasSize(20);

        // purging frees pages: the same store writes again
        assertThat(await(store.maintain(T0 + 1000 + LIMITS.receiptRetention().toMillis())).purged()).isEqualTo(committed.size());
        StoredMessage next = toUsers("1", "u1");
        assertThat(await(store.append(List.of(next)))).extracting(Appended::id, Appended::duplicate).containsExactly(tuple(next.id(), false));
    }

    @Test
    void everyAppendThatCompletedSurvivesAKill9OfTheProcess() throws Exception {
        store.close();
        Path db = dir.resolve("crash.db");
        Process victim = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), "-Dlogback.configurationFile=" + quietLogging(),
                SqliteCrashWriter.class.getName(), db.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Set<String> acknowledged = new HashSet<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(victim.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).isEqualTo("ready");
            while (acknowledged.size() < 3_000) {
                String line = out.readLine();
                assertThat(line).as("the writer died early").isNotNull();
                acknowledged.add(line);
            }
            victim.destroyForcibly(); // SIGKILL: no shutdown hook, no close, appends in flight
            assertThat(victim.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            victim.destroyForcibly();
        }

        store = JdbcMessageStore.sqlite(db, StoreLimits.defaults(), JdbcStoreOptions.defaults()); // no maintenance runs: the cap does not matter
        Set<String> stored = new HashSet<>();
        String after = null;
        Replay page;
        do {
            page = await(store.replay(new ReplayRequest(user("crash"), after, ReplayRequest.Pending.ALL, 1_000), T0));
            page.messages().forEach(m -> stored.add(m.id()));
            after = page.messages().isEmpty() ? after : page.messages().get(page.messages().size() - 1).id();
        } while (page.more());
        assertThat(stored).containsAll(acknowledged);
    }

    private Path quietLogging() throws IOException {
        Path config = dir.resolve("logback-quiet.xml");
        Files.writeString(config, "<configuration><root level=\"OFF\"/></configuration>");
        return config;
    }

    @Test
    void synchronousNormalIsAvailableAndNamed() {
        store.close();
        store = openStore(LIMITS, JdbcStoreOptions.defaults().withSqliteSync(SqliteSync.NORMAL));
        assertThat(store.describe()).endsWith("(WAL, synchronous=NORMAL)");
        StoredMessage m = toUsers("1", "u1");
        await(store.append(List.of(m)));
        assertThat(replayIds(user("u1"), null, ReplayRequest.Pending.ALL, T0)).containsExactly(m.id());
    }
}
