package dev.herald.server.store;

import dev.herald.core.message.MessageIds;
import dev.herald.core.store.StoreLimits;
import dev.herald.core.store.StoredMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The WAL of an SQLite store: checkpointed off the writer, bounded under steady load, emptied when idle and at close. */
class SqliteCheckpointerTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final Duration NEVER = Duration.ofHours(1);
    private static final String DATA = "{\"text\":\"" + "x".repeat(89) + "\"}"; // 100 bytes
    private static final int USERS = 2_000;
    private static final long PAGE = JdbcStoreOptions.DEFAULT_SQLITE_PAGE_SIZE;

    @TempDir
    Path dir;
    private final MessageIds ids = new MessageIds();
    private int sent;

    private Path file() {
        return dir.resolve("herald.db");
    }

    private Path wal() {
        return dir.resolve("herald.db-wal");
    }

    private JdbcMessageStore open(SqliteCheckpointer.Policy policy) {
        return JdbcMessageStore.sqlite(file(), StoreLimits.defaults(), JdbcStoreOptions.defaults(), policy);
    }

    /** One append of {@code n} messages of 100 bytes, each to another user (each dirties other index pages), committed. */
    private void append(JdbcMessageStore store, int n) {
        List<StoredMessage> batch = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String user = "user-" + (sent++ % USERS);
            batch.add(new StoredMessage(ids.next(T0), T0, T0 + TimeUnit.DAYS.toMillis(1), DATA, List.of(user), List.of(), false, null));
        }
        store.append(batch).orTimeout(30, TimeUnit.SECONDS).join();
    }

    private long walBytes() throws Exception {
        return Files.exists(wal()) ? Files.size(wal()) : 0;
    }

    @Test
    void commitsLeaveCheckpointsToTheCheckpointer() throws Exception {
        // SQLite's own automatic checkpoint (every 1,000 pages) would keep the log near 4 MB; the writer must not run it
        try (JdbcMessageStore store = open(new SqliteCheckpointer.Policy(NEVER, Long.MAX_VALUE, Long.MAX_VALUE))) {
            for (int i = 0; i < 100; i++) {
                append(store, 100); // ~100 pages each
            }
            assertThat(walBytes()).isGreaterThan(3_000 * PAGE);
            assertThat(store.checkpointer().passiveCheckpoints()).isZero();
            assertThat(store.checkpointer().restarts()).isZero();
        }
    }

    @Test
    void aSteadyLoadKeepsTheWalFileWithinItsLimitWhenTheCheckpointerFallsBehind() throws Exception {
        long limit = 2 << 20;
        try (JdbcMessageStore store = open(new SqliteCheckpointer.Policy(NEVER, Long.MAX_VALUE, limit))) {
            long largest = 0;
            long largestStep = 0;
            long last = 0;
            for (int i = 0; i < 400; i++) {
                append(store, 20);
                long now = walBytes();
                largest = Math.max(largest, now);
                largestStep = Math.max(largestStep, now - last);
                last = now;
            }
            // 400 transactions of ~20 pages: ~30 MB of log without the bound. With it the file passes the limit by at
            // most the transactions between two looks at its size (and the one whose completion ran before the restart)
            assertThat(largest).isGreaterThan(limit / 2)
                    .isLessThanOrEqualTo(limit + (SqliteCheckpointer.SIZE_CHECK_EVERY + 1) * largestStep);
            assertThat(store.checkpointer().restarts()).isGreaterThan(0);
            assertThat(count(store)).isEqualTo(400 * 20);
        }
    }

    @Test
    void theCheckpointerCopiesTheLogBackThenEmptiesTheFileWhenWritesStop() throws Exception {
        try (JdbcMessageStore store = open(new SqliteCheckpointer.Policy(Duration.ofMillis(20), 64 * PAGE, 256L << 20))) {
            SqliteCheckpointer checkpointer = store.checkpointer();
            // steady appends until the checkpointer has checkpointed and asked the writer to restart a long log
            CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
                while (checkpointer.restarts() == 0 || checkpointer.passiveCheckpoints() == 0) {
                    append(store, 50);
                }
            });
            load.get(60, TimeUnit.SECONDS);
            assertThat(walBytes()).isPositive();
            await().atMost(Duration.ofSeconds(30)).until(() -> walBytes() == 0 && checkpointer.truncations() > 0);
            assertThat(count(store)).isEqualTo(sent);
        }
    }

    /**
     * A reader that keeps an old snapshot open keeps the log from restarting; the writer's own checkpoint for a long
     * log must not wait for it (a RESTART would, for the busy timeout of 5 s at every restart), so commits go on.
     */
    @Test
    void theWritersCheckpointForALongLogDoesNotWaitForReaders() throws Exception {
        try (Connection reader = DriverManager.getConnection("jdbc:sqlite:" + file());
             JdbcMessageStore store = open(new SqliteCheckpointer.Policy(Duration.ofMillis(20), 64 * PAGE, Long.MAX_VALUE))) {
            append(store, 50);
            try (Statement s = reader.createStatement()) {
                s.execute("BEGIN");
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM messages")) {
                    rs.next(); // the reader's snapshot now pins the log
                }
            }
            SqliteCheckpointer checkpointer = store.checkpointer();
            CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
                while (checkpointer.restarts() < 3) {
                    append(store, 50);
                }
            });
            load.get(10, TimeUnit.SECONDS); // three writer checkpoints that waited would take 15 s
            try (Statement s = reader.createStatement()) {
                s.execute("COMMIT");
            }
            assertThat(count(store)).isEqualTo(sent);
        }
    }

    @Test
    void closingEmptiesTheWalAndLeavesAConsistentDatabase() throws Exception {
        // an outside connection stays open (as another process's would), so SQLite's own checkpoint when its last
        // connection closes does not run: what empties the log is the store's final checkpoint
        try (Connection outside = DriverManager.getConnection("jdbc:sqlite:" + file())) {
            try (JdbcMessageStore store = open(new SqliteCheckpointer.Policy(NEVER, Long.MAX_VALUE, Long.MAX_VALUE))) {
                for (int i = 0; i < 40; i++) {
                    append(store, 50);
                }
                assertThat(walBytes()).isPositive();
                try (Statement s = outside.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM messages")) {
                    rs.next(); // the outside connection now uses the WAL too
                }
            }
            assertThat(walBytes()).isZero();
            try (Statement s = outside.createStatement()) {
                try (ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("ok");
                }
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM messages")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(2_000);
                }
            }
        }
    }

    private int count(JdbcMessageStore store) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM messages")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
