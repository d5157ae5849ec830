package dev.herald.server.store;

/**
 * What differs between the databases {@link JdbcMessageStore} runs on. The SQL itself is shared (both speak
 * {@code INSERT ... ON CONFLICT}, partial indexes, row values and {@code LIMIT/OFFSET}); what differs is where
 * the schema migrations live, how a transaction starts and ends, one index hint and row locking, and how a group's
 * rows travel: JDBC batches of single-row inserts for SQLite (in-process, no round trip to save), one statement per
 * table for PostgreSQL, an array insert where a conflict clause is needed ({@link ArrayInserts}) and a binary COPY
 * where none is ({@link CopyRows}), chosen in {@link WriteTransaction} and {@link StreamHeads}.
 */
enum SqlDialect {
    /**
     * The SQLite driver opens a new transaction right after every commit when auto-commit is off, and a
     * writer's {@code BEGIN IMMEDIATE} would then hold the write lock while idle. So connections stay in
     * auto-commit mode and transactions are explicit statements: {@code BEGIN IMMEDIATE} takes the write lock
     * up front (no lock upgrade that could fail half-way), a reader's plain {@code BEGIN} takes its WAL
     * snapshot at the first read.
     */
    SQLITE("sqlite", "classpath:db/sqlite", true, "BEGIN IMMEDIATE", "BEGIN", "COMMIT", "ROLLBACK") {
        @Override
        String forUpdate(boolean skipLocked) {
            return ""; // one writer at a time: BEGIN IMMEDIATE holds the file's write lock for the whole transaction
        }
    },

    /** Plain JDBC transactions: auto-commit off, the driver sends {@code BEGIN} with the first statement. */
    POSTGRESQL("postgresql", "classpath:db/postgresql", false, null, null, null, null) {
        @Override
        String forUpdate(boolean skipLocked) {
            return skipLocked ? " FOR UPDATE SKIP LOCKED" : " FOR UPDATE";
        }
    };

    final String scheme;
    final String migrations;
    final boolean autoCommit;
    private final String beginWrite;
    private final String beginRead;
    private final String commit;
    private final String rollback;

    SqlDialect(String scheme, String migrations, boolean autoCommit, String beginWrite, String beginRead, String commit,
               String rollback) {
        this.scheme = scheme;
        this.migrations = migrations;
        this.autoCommit = autoCommit;
        this.beginWrite = beginWrite;
        this.beginRead = beginRead;
        this.commit = commit;
        this.rollback = rollback;
    }

    /** The statement that starts a transaction, or {@code null} when the driver starts one by itself. */
    String beginSql(boolean write) {
        return write ? beginWrite : beginRead;
    }

    /** The statement that commits, or {@code null} for {@link java.sql.Connection#commit()}. */
    String commitSql() {
        return commit;
    }

    /** The statement that rolls back, or {@code null} for {@link java.sql.Connection#rollback()}. */
    String rollbackSql() {
        return rollback;
    }

    /**
     * The clause that locks the rows a {@code SELECT} reads until the transaction ends, for a read-modify-write
     * that other nodes must not interleave with; {@code skipLocked}: rows another transaction holds are left out
     * instead of waited for (job claims).
     */
    abstract String forUpdate(boolean skipLocked);
}
