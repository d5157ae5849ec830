package dev.herald.server.store;

import dev.herald.core.message.MessageIds;
import dev.herald.core.store.StoreLimits;
import dev.herald.core.store.StoreUnavailableException;
import dev.herald.core.store.StoredMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** The page size of a new SQLite file, an existing file's kept, and a size limit that means bytes whatever the page size. */
class SqlitePageSizeTest {
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private final MessageIds ids = new MessageIds();

    @Test
    void aNewFileGetsTheConfiguredPageSizeInWalMode() throws Exception {
        Path file = dir.resolve("new.db");
        try (JdbcMessageStore store = JdbcMessageStore.sqlite(file, StoreLimits.defaults(), JdbcStoreOptions.defaults())) {
            append(store, "u1", 1);
        }
        assertThat(pragma(file, "page_size")).isEqualTo(String.valueOf(JdbcStoreOptions.DEFAULT_SQLITE_PAGE_SIZE));
        assertThat(pragma(file, "journal_mode")).isEqualTo("wal");
        assertThat(JdbcStoreOptions.DEFAULT_SQLITE_PAGE_SIZE).isEqualTo(1024);
    }

    @Test
    void anExistingFileKeepsItsPageSize() throws Exception {
        Path file = dir.resolve("old.db");
        try (JdbcMessageStore store = JdbcMessageStore.sqlite(file, StoreLimits.defaults(), JdbcStoreOptions.defaults().withSqlitePageSize(4096))) {
            append(store, "u1", 3);
        }
        assertThat(pragma(file, "page_size")).isEqualTo("4096");
        try (JdbcMessageStore store = JdbcMessageStore.sqlite(file, StoreLimits.defaults(), JdbcStoreOptions.defaults())) {
            List<StoredMessage> sent = append(store, "u1", 1);
            assertThat(store.receipt(sent.get(0).id(), T0).orTimeout(30, TimeUnit.SECONDS).join()).isPresent();
        }
        assertThat(pragma(file, "page_size")).isEqualTo("4096");
    }

    @ParameterizedTest
    @ValueSource(ints = {1024, 4096})
    void theSizeLimitIsInBytesWhateverThePageSize(int pageSize) throws Exception {
        Path file = dir.resolve("limited-" + pageSize + ".db");
        long limit = 256 * 1024;
        Throwable failure = null;
        try (JdbcMessageStore store = JdbcMessageStore.sqlite(file, StoreLimits.defaults(),
                JdbcStoreOptions.defaults().withSqlitePageSize(pageSize).withSqliteMaxBytes(limit))) {
            for (int round = 0; round < 1_000 && failure == null; round++) {
                String user = "u" + round;
                failure = catchThrowable(() -> append(store, user, 5));
            }
        }
        assertThat(failure).as("the database never filled up").isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(StoreUnavailableException.class);
        long bytes = Long.parseLong(pragma(file, "page_count")) * pageSize;
        assertThat(bytes).isLessThanOrEqualTo(limit).isGreaterThan(limit / 2);
    }

    @Test
    void maxPageCountIsTheWholePagesThatFit() {
        assertThat(SqliteFile.maxPageCount(256 * 1024, 1024)).isEqualTo(256);
        assertThat(SqliteFile.maxPageCount(256 * 1024, 4096)).isEqualTo(64);
        assertThat(SqliteFile.maxPageCount(5_000, 4096)).isEqualTo(1);
        assertThat(SqliteFile.maxPageCount(100, 4096)).isEqualTo(1);
    }

    private List<StoredMessage> append(JdbcMessageStore store, String user, int n) {
        String kilobyte = "\"" + "x".repeat(1_000) + "\"";
        List<StoredMessage> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batch.add(new StoredMessage(ids.next(T0), T0, T0 + 60_000, kilobyte, List.of(user), List.of(), false, null));
        }
        store.append(batch).orTimeout(30, TimeUnit.SECONDS).join();
        return batch;
    }

    private static String pragma(Path file, String name) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
