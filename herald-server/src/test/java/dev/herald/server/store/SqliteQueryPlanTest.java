package dev.herald.server.store;

import dev.herald.core.store.StoreLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SQLite plans without statistics, so a harmless-looking change to a statement or an index can turn an index
 * search into a scan of a whole table, which only shows once the tables are big. Every statement the store runs
 * on a hot or periodic path must search an index.
 */
class SqliteQueryPlanTest {
    @TempDir
    Path dir;

    @Test
    void everyStatementSearchesAnIndex() throws SQLException {
        Path file = dir.resolve("herald.db");
        JdbcMessageStore.sqlite(file, StoreLimits.defaults(), JdbcStoreOptions.defaults()).close(); // creates the schema
        List<String> statements = List.of(
                WriteTransaction.FIND_KEY, WriteTransaction.UPDATE_STATUS,
                StoreReads.PAGE, StoreReads.PENDING_PAGE, StoreReads.TRIMMED, StoreReads.EXPIRED_AFTER, StoreReads.EXPIRED_BETWEEN,
                StoreReads.MESSAGE, StoreReads.RECIPIENTS,
                StoreMaintenance.countStreamsSql(3), StoreMaintenance.NTH_OLDEST, StoreMaintenance.MARK_DROPPED,
                StoreMaintenance.DROP_ENTRIES, StoreMaintenance.expiredByStreamSql(SqlDialect.SQLITE), StoreMaintenance.COUNT_EXPIRED,
                StoreMaintenance.DELETE_EXPIRED_ENTRIES, StoreMaintenance.PURGE_RECIPIENTS, StoreMaintenance.PURGE_MESSAGES);
        List<String> scans = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            for (String sql : statements) {
                for (String step : plan(c, sql)) {
                    if (step.startsWith("SCAN ")) {
                        scans.add(step + " in: " + sql);
                    }
                }
            }
            // the first cap check after a start counts every stream: a scan by design (once per start)
            assertThat(plan(c, StoreMaintenance.COUNT_ALL)).anyMatch(step -> step.startsWith("SCAN stream_entries"));
        }
        assertThat(scans).isEmpty();
    }

    private static List<String> plan(Connection c, String sql) throws SQLException {
        List<String> steps = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("EXPLAIN QUERY PLAN " + sql); ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                steps.add(rs.getString(4));
            }
        }
        return steps;
    }
}
