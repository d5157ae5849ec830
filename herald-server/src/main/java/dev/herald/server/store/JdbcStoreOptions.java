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
 * @param sqliteMaxBytes    SQLite only: a hard limit on the database file's size in bytes, 0 for none; past it writes
 *                          fail as on a full disk (SQLite's {@code max_page_count}, worked out from the file's own page size)
 * @param sqlitePageSize    SQLite only: the page size of a database file this store creates (a power of two from 512
 *                          to 65536); an existing file keeps the page size it was created with
 */
public record JdbcStoreOptions(int maxGroupMessages, int readerThreads, int maxQueuedMessages, Duration connectionTimeout,
                               SqliteSync sqliteSync, long sqliteMaxBytes, int sqlitePageSize) {
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
    /**
     * Every commit writes each page it changed whole to the WAL, and the checkpoint writes it again to the database;
     * a message to one user changes a leaf of that user's stream index, a different page for nearly every message,
     * so the bytes written per message follow the page size (SqliteWriteBytesProbe, 100-byte messages in groups of
     * 1/60/370, users in round robin: 40.0/3.0/1.6 KB at 4096, 24.9/2.4/1.5 KB at 2048, 16.8/2.0/1.3 KB at 1024;
     * users at random: 39.8/9.8/4.7 KB at 4096, 17.4/4.1/2.9 KB at 1024). Reads by stream stay index range scans;
     * the B-trees are a level deeper, a page more per lookup, mostly from the cache.
     */
    public static final int DEFAULT_SQLITE_PAGE_SIZE = 1024;

    public JdbcStoreOptions {
        if (maxGroupMessages < 1 || readerThreads < 1 || maxQueuedMessages < 1) {
            throw new IllegalArgumentException("maxGroupMessages, readerThreads and maxQueuedMessages must be positive");
        }
        if (connectionTimeout.toMillis() < 250) {
            throw new IllegalArgumentException("connectionTimeout must be at least 250 ms: " + connectionTimeout);
        }
        if (sqliteMaxBytes < 0) {
            throw new IllegalArgumentException("sqliteMaxBytes must not be negative: " + sqliteMaxBytes);
        }
        if (sqlitePageSize < 512 || sqlitePageSize > 65_536 || Integer.bitCount(sqlitePageSize) != 1) {
            throw new IllegalArgumentException("sqlitePageSize must be a power of two from 512 to 65536: " + sqlitePageSize);
        }
    }

    public static JdbcStoreOptions defaults() {
        return new JdbcStoreOptions(DEFAULT_MAX_GROUP_MESSAGES, DEFAULT_READER_THREADS, DEFAULT_MAX_QUEUED_MESSAGES,
                DEFAULT_CONNECTION_TIMEOUT, SqliteSync.FULL, 0, DEFAULT_SQLITE_PAGE_SIZE);
    }

    public JdbcStoreOptions withMaxGroupMessages(int n) {
        return new JdbcStoreOptions(n, readerThreads, maxQueuedMessages, connectionTimeout, sqliteSync, sqliteMaxBytes, sqlitePageSize);
    }

    public JdbcStoreOptions withMaxQueuedMessages(int n) {
        return new JdbcStoreOptions(maxGroupMessages, readerThreads, n, connectionTimeout, sqliteSync, sqliteMaxBytes, sqlitePageSize);
    }

    public JdbcStoreOptions withConnectionTimeout(Duration timeout) {
        return new JdbcStoreOptions(maxGroupMessages, readerThreads, maxQueuedMessages, timeout, sqliteSync, sqliteMaxBytes, sqlitePageSize);
    }

    public JdbcStoreOptions withSqliteSync(SqliteSync sync) {
        return new JdbcStoreOptions(maxGroupMessages, readerThreads, maxQueuedMessages, connectionTimeout, sync, sqliteMaxBytes, sqlitePageSize);
    }

    public JdbcStoreOptions withSqliteMaxBytes(long bytes) {
        return new JdbcStoreOptions(maxGroupMessages, readerThreads, maxQueuedMessages, connectionTimeout, sqliteSync, bytes, sqlitePageSize);
    }

    public JdbcStoreOptions withSqlitePageSize(int bytes) {
        return new JdbcStoreOptions(maxGroupMessages, readerThreads, maxQueuedMessages, connectionTimeout, sqliteSync, sqliteMaxBytes, bytes);
    }
}
