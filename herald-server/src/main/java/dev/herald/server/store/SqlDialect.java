package dev.herald.server.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What differs between the databases {@link JdbcMessageStore} runs on. The SQL itself is shared (both speak
 * {@code INSERT ... ON CONFLICT}, partial indexes and {@code LIMIT/OFFSET}); what differs is where the schema
 * migrations live and how a transaction starts and ends.
 */
enum SqlDialect {
    /**
     * The SQLite driver opens a new transaction right after every commit when auto-commit is off, and a
     * writer's {@code BEGIN IMMEDIATE} would then hold the write lock while idle. So connections stay in
     * auto-commit mode and transactions are explicit statements: {@code BEGIN IMMEDIATE} takes the write lock
     * up front (no lock upgrade that could fail half-way), a reader's plain {@code BEGIN} takes its WAL
     * snapshot at the first read.
     */
    SQLITE("sqlite", "classpath:db/sqlite", true) {
        @Override
        void begin(Connection c, boolean write) throws SQLException {
            execute(c, write ? "BEGIN IMMEDIATE" : "BEGIN");
        }

        @Override
        void commit(Connection c) throws SQLException {
            execute(c, "COMMIT");
        }

        @Override
        void rollback(Connection c) throws SQLException {
            execute(c, "ROLLBACK");
        }
    },

    /** Plain JDBC transactions: auto-commit off, the driver sends {@code BEGIN} with the first statement. */
    POSTGRESQL("postgresql", "classpath:db/postgresql", false) {
        @Override
        void begin(Connection c, boolean write) {
            // implicit
        }

        @Override
        void commit(Connection c) throws SQLException {
            c.commit();
        }

        @Override
        void rollback(Connection c) throws SQLException {
            c.rollback();
        }
    };

    final String scheme;
    final String migrations;
    final boolean autoCommit;

    SqlDialect(String scheme, String migrations, boolean autoCommit) {
        this.scheme = scheme;
        this.migrations = migrations;
        this.autoCommit = autoCommit;
    }

    abstract void begin(Connection c, boolean write) throws SQLException;

    abstract void commit(Connection c) throws SQLException;

    abstract void rollback(Connection c) throws SQLException;

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
