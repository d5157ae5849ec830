package dev.herald.server.store;

import dev.herald.core.notify.DeadLetterQuery;
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
                WriteTransaction.FIND_KEY, WriteTransaction.UPDATE_STATUS, WriteTransaction.UPDATE_SOLO_STATUS,
                StoreReads.POSITION_PAGE, StoreReads.PENDING_POSITION_PAGE, StoreReads.STREAM, StoreReads.POSITION_OF, StoreReads.FIRST_AFTER_ID,
                StoreReads.MESSAGE, StoreReads.RECIPIENTS,
                StoreMaintenance.countStreamsSql(SqlDialect.SQLITE, 3), StoreMaintenance.spanOverCapSql(SqlDialect.SQLITE, 3),
                StoreMaintenance.nthOldestSql(SqlDialect.SQLITE),
                StoreMaintenance.newestIdThroughSql(SqlDialect.SQLITE), StoreMaintenance.markDroppedSql(SqlDialect.SQLITE, false),
                StoreMaintenance.markDroppedSql(SqlDialect.SQLITE, true),
                StoreMaintenance.dropEntriesSql(SqlDialect.SQLITE), StoreMaintenance.streamFrontsSql(SqlDialect.SQLITE),
                StoreMaintenance.frontPageSql(SqlDialect.SQLITE), StoreMaintenance.countExpiredSql(SqlDialect.SQLITE, false),
                StoreMaintenance.countExpiredSql(SqlDialect.SQLITE, true),
                StoreMaintenance.PURGE_WINDOW_END, StoreMaintenance.PURGE_RECIPIENTS, StoreMaintenance.PURGE_MESSAGES,
                StoreMaintenance.TRIMMED, SqliteStreamHeads.readSql(2), SqliteStreamHeads.saveHeadsSql(2), StoreReads.SQLITE_STREAM,
                NotifyWrites.claimSql(SqlDialect.SQLITE), JobCompletions.readSql(SqlDialect.SQLITE, 4), JobCompletions.UPDATE,
                NotifyWrites.cancelFallbacksSql(SqlDialect.SQLITE),
                NotifyWrites.RETRY_DEAD, NotifyWrites.DELETE_DEAD, NotifyWrites.PURGE_FINISHED, NotifyWrites.DELETE_CONTACTS,
                NotifyWrites.DISABLE_CONTACT, NotifyReads.JOBS_OF, NotifyReads.JOB, NotifyReads.CONTACTS,
                NotifyReads.deadLettersSql(new DeadLetterQuery(null, null, null, "0", 10)),
                NotifyReads.deadLettersSql(new DeadLetterQuery("email", "u1", null, "0", 10)),
                NotifyReads.deadLettersSql(new DeadLetterQuery(null, null, "m1", null, 10)));
        List<String> scans = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            for (String sql : statements) {
                for (String step : plan(c, sql)) {
                    // a multi-row VALUES list is the statement's own parameters, not a table
                    if (step.startsWith("SCAN ") && !step.endsWith("-ROW VALUES CLAUSE")) {
                        scans.add(step + " in: " + sql);
                    }
                }
            }
            // the first cap check after a start reads every stream's row (a scan of streams by design, once per start),
            // but each one's entries only by two probes of (stream, position)
            List<String> all = plan(c, StoreMaintenance.spanOverCapSql(SqlDialect.SQLITE, 0));
            assertThat(all).anyMatch(step -> step.startsWith("SCAN s"));
            assertThat(all).noneMatch(step -> step.startsWith("SCAN e"));
        }
        assertThat(scans).isEmpty();
    }

    /** Polling a channel with nothing due must stay one probe of the live jobs' index, however many jobs are finished. */
    @Test
    void claimingReadsTheLiveJobsIndex() throws SQLException {
        Path file = dir.resolve("herald.db");
        JdbcMessageStore.sqlite(file, StoreLimits.defaults(), JdbcStoreOptions.defaults()).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            assertThat(plan(c, NotifyWrites.claimSql(SqlDialect.SQLITE))).anyMatch(step -> step.startsWith("SEARCH notify_jobs USING INDEX notify_jobs_due"));
            assertThat(plan(c, NotifyWrites.PURGE_FINISHED)).anyMatch(step -> step.contains("notify_jobs_finished"));
            assertThat(plan(c, NotifyReads.deadLettersSql(new DeadLetterQuery(null, null, null, "0", 10))))
                    .anyMatch(step -> step.contains("notify_jobs_dead"));
            // the first page walks the dead letters' own index from its newest end and stops at the limit
            assertThat(plan(c, NotifyReads.deadLettersSql(new DeadLetterQuery(null, null, null, null, 10))))
                    .containsExactly("SCAN notify_jobs USING INDEX notify_jobs_dead");
            // the console's count (every 2 s) reads the dead letters' index alone, never the table
            assertThat(plan(c, NotifyReads.countDeadLettersSql(null, null, null)))
                    .containsExactly("SCAN notify_jobs USING COVERING INDEX notify_jobs_dead");
            // filtered, as the listing: the dead letters' index (dead rows only) or a message's jobs
            assertThat(plan(c, NotifyReads.countDeadLettersSql("email", "u1", null)))
                    .containsExactly("SCAN notify_jobs USING INDEX notify_jobs_dead");
            assertThat(plan(c, NotifyReads.countDeadLettersSql(null, null, "m1")))
                    .containsExactly("SEARCH notify_jobs USING INDEX notify_jobs_message (message_id=?)");
        }
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
