package dev.herald.server.store;

import java.time.Duration;

/**
 * Tuning of a {@link JdbcMessageStore}; {@link #defaults()} suits both databases.
 *
 * @param maxGroupMessages  at most this many messages (and status updates) are committed in one transaction;
 *                          a single call bigger than that is committed whole, alone
 * @param readerThreads     threads (and connections) for replays and receipts
 * @param maxQueuedMessages messages (and status updates) waiting for the writer; past this, new writes fail at once
 *                          with {@code StoreUnavailableException} instead of piling up in memory while the
 *                          database is slow or down (a call is always accepted when nothing is queued)
 * @param connectionTimeout how long a write or read waits for a connection (PostgreSQL) or for another
 *                          process's lock on the file (SQLite {@code busy_timeout}) before it fails
 * @param sqliteSync        SQLite only: when a commit reaches the disk, see {@link SqliteSync}
 * @param sqliteMaxPages    SQLite only: a hard limit on the database size in pages ({@code max_page_count}), 0 for none;
 *                          past it writes fail as on a full disk
 */
public record JdbcStoreOptions(int maxGroupMessages, int readerThreads, int maxQueuedMessages, Duration connectionTimeout,
                               SqliteSync sqliteSync, int sqliteMaxPages) {
    /**
     * Big enough that a commit's fixed cost (an fsync, the hot index pages) is shared by many messages, small enough
     * that one transaction takes a few ms (SQLite: ~10 us of writer CPU per message).
     */
    public static final int DEFAULT_MAX_GROUP_MESSAGES = 2_000;
    /** Two cores on the reference machine: two concurrent replays keep them busy without starving the writer. */
    public static final int DEFAULT_READER_THREADS = 2;
    /** A few seconds of peak load; beyond that the database is not keeping up and callers should hear so. */
    public static final int DEFAULT_MAX_QUEUED_MESSAGES = 200_000;
    /** Short enough that a dead database turns into 503s quickly, long enough to ride out a checkpoint or failover blip. */
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(5);

    public JdbcStoreOptions {
        if (maxGroupMessages < 1 || readerThreads < 1 || maxQueuedMessages < 1) {
            throw new IllegalArgumentException("maxGroupMessages, readerThreads and maxQueuedMessages must be positive");
        }
        if (connectionTimeout.toMillis() < 250) {
            throw new IllegalArgumentException("connectionTimeout must be at least 250 ms: " + connectionTimeout);
        }
        if (sqliteMaxPages < 0) {
            throw new IllegalArgumentException("sqliteMaxPages must not be negative: " + sqliteMaxPages);
        }
    }

    public static JdbcStoreOptions defaults() {
        return new JdbcStoreOptions(DEFAULT_MAX_GROUP_MESSAGES, DEFAULT_READER_THREADS, DEFAULT_MAX_QUEUED_MESSAGES,
                DEFAULT_CONNECTION_TIMEOUT, SqliteSync.FULL, 0);
    }

    public JdbcStoreOptions withMaxGroupMessages(int n) {
        return new JdbcStoreOptions(n, readerThreads, maxQueuedMessages, connectionTimeout, sqliteSync, sqliteMaxPages);
    }

    public JdbcStoreOptions withMaxQueuedMessages(int n) {
        return new JdbcStoreOptions(maxGroupMessages, readerThreads, n, connectionTimeout, sqliteSync, sqliteMaxPages);
    }

    public JdbcStoreOptions withConnectionTimeout(Duration timeout) {
        return new JdbcStoreOptions(maxGroupMessages, readerThreads, maxQueuedMessages, timeout, sqliteSync, sqliteMaxPages);
    }

    public JdbcStoreOptions withSqliteSync(SqliteSync sync) {
        return new JdbcStoreOptions(maxGroupMessages, readerThreads, maxQueuedMessages, connectionTimeout, sync, sqliteMaxPages);
    }

    public JdbcStoreOptions withSqliteMaxPages(int pages) {
        return new JdbcStoreOptions(maxGroupMessages, readerThreads, maxQueuedMessages, connectionTimeout, sqliteSync, pages);
    }
}
