package dev.herald.server.store;

import dev.herald.core.store.MessageStore;
import dev.herald.core.store.StoreLimits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

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
}
