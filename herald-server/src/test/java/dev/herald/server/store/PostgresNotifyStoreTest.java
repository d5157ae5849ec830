package dev.herald.server.store;

import dev.herald.core.notify.NotifyJob;
import dev.herald.core.notify.NotifyStore;
import dev.herald.core.store.MessageStore;
import dev.herald.core.store.StoreLimits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The notify store on a real PostgreSQL (the server {@link PostgresMessageStoreTest} uses), in a schema of its
 * own, dropped afterwards. Without a reachable server the tests fail, they are not skipped.
 */
class PostgresNotifyStoreTest extends JdbcNotifyStoreContract {
    static final String SCHEMA = "herald_notify_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    @BeforeAll
    static void requirePostgres() {
        PostgresMessageStoreTest.requirePostgres();
    }

    @AfterAll
    static void dropSchema() throws SQLException {
        try (Connection c = PostgresMessageStoreTest.plainConnection(null); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        }
    }

    static String storeUrl() {
        return PostgresMessageStoreTest.storeUrl(PostgresMessageStoreTest.port()).replace(PostgresMessageStoreTest.SCHEMA, SCHEMA);
    }

    @Override
    protected MessageStore createStore() throws SQLException {
        JdbcMessageStore store = openAnother();
        // one schema for the class: each test starts from empty tables
        try (Connection c = PostgresMessageStoreTest.plainConnection(SCHEMA); Statement s = c.createStatement()) {
            s.execute("TRUNCATE messages, stream_entries, recipients, streams, notify_jobs, contacts");
        }
        return store;
    }

    @Override
    protected JdbcMessageStore openAnother() {
        return JdbcMessageStore.postgres(storeUrl(), StoreLimits.defaults(), JdbcStoreOptions.defaults());
    }

    // several nodes on one database (an SQLite file takes one store)
    @Test
    void twoNodesClaimingAtOnceNeverShareAJob() throws Exception {
        List<NotifyJob> jobs = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            jobs.add(job("webhook", "u" + i, T0 + i % 10));
        }
        await(store.enqueue(jobs));
        List<String> claimed = new ArrayList<>();
        try (JdbcMessageStore other = openAnother()) {
            List<NotifyStore> nodes = List.of(store, other);
            boolean more = true;
            while (more) {
                // both nodes ask at the same time, several times each, before any answer is looked at
                List<CompletableFuture<List<NotifyJob>>> round = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    round.add(nodes.get(i % 2).claimDue("webhook", T0 + 10, T0 + HOUR, 9));
                }
                more = false;
                for (CompletableFuture<List<NotifyJob>> claim : round) {
                    List<NotifyJob> got = await(claim);
                    more |= !got.isEmpty();
                    claimed.addAll(idsOf(got));
                }
            }
        }
        assertThat(claimed).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(idsOf(jobs));
    }
}
