package dev.herald.server.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps an SQLite database's write-ahead log short without putting checkpoints on the store's writer.
 *
 * <p>The writer connection runs with {@code wal_autocheckpoint=0}: a commit only appends to the WAL (and, with
 * {@code synchronous=FULL}, fsyncs it: that is what makes a commit durable). Copying the WAL's pages back into the
 * database file is this class's thread, on its own connection, every {@link Policy#interval()}:
 * <ul>
 *   <li>commits since the last look ({@code PRAGMA data_version} changed): a {@code PASSIVE} checkpoint, which
 *       never blocks the writer or the readers; one checkpoint writes each hot page once for all the commits of
 *       the interval;</li>
 *   <li>no commits since the last look and a WAL file left: a {@code TRUNCATE} checkpoint empties the file
 *       (a write arriving meanwhile waits the few ms it takes, nothing is left to copy).</li>
 * </ul>
 * A passive checkpoint cannot restart the log while commits keep coming (each leaves a few frames it did not
 * copy), so the WAL would grow under steady load. The writer therefore calls {@link #afterCommit(Connection)} between
 * transactions: when the thread's last pass left more than {@link Policy#restartBytes()} of log, the writer runs a
 * {@code PASSIVE} checkpoint itself, which copies the frames committed since that pass began (none can be added
 * meanwhile) and fsyncs the database, and does not wait for readers, so the next commit starts the log over (unless a
 * reader still reads from the log: then at a later restart). Commits wait for it; its fsync, not the copy, is most of
 * that wait, so what counts is how often it runs (once per {@link Policy#restartBytes()} of log). When the file passed {@link Policy#limitBytes()}
 * (the checkpoints fall behind, or readers pin old snapshots) the writer runs a {@code RESTART} checkpoint, which also
 * waits for the readers of old snapshots; meanwhile nothing is committed, which is the back-pressure that keeps the
 * file bounded (writes queue and, past the store's queue limit, fail at once). A file past the limit is truncated
 * back to it when the log restarts ({@code journal_size_limit}).
 *
 * <p>Durability does not depend on any of this: a checkpoint copies committed pages, and a crash during one is
 * recovered from the WAL at the next open. With {@code synchronous=NORMAL} the WAL is fsynced at checkpoints,
 * so power loss may take the commits of the last {@link Policy#interval()} or so.
 *
 * <p>{@link #close()} stops the thread and empties the WAL (a final {@code TRUNCATE}) once the writer has stopped.
 * Thread-safe: the thread is the only user of its connection; {@link #afterCommit(Connection)} is for the writer thread.
 */
final class SqliteCheckpointer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SqliteCheckpointer.class);

    /**
     * When to checkpoint and how large the WAL may grow.
     *
     * @param interval     how often the thread looks at the WAL and checkpoints
     * @param restartBytes the writer restarts the log when a passive checkpoint left more log than this
     * @param limitBytes   the hard bound of the WAL file: past it the writer checkpoints before committing more,
     *                     and a restarted log is truncated back to it
     */
    record Policy(Duration interval, long restartBytes, long limitBytes) {
        /** Long enough that one checkpoint writes each hot page once for ~a second of commits, short enough to keep the WAL small. */
        static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
        /**
         * 64 MiB: each restart holds up commits for a copy and an fsync of the database (tens of ms on a slow disk), so
         * the log restarts seldom; 64 MiB of 1 KiB frames make 16 wal-index hash tables for a read to look a page up in.
         */
        static final long DEFAULT_RESTART_BYTES = 64L << 20;
        /** 256 MiB: above a second of the WAL written at the writer's full speed, so only a stalled checkpoint reaches it. */
        static final long DEFAULT_LIMIT_BYTES = 256L << 20;

        Policy {
            if (interval.toMillis() < 1 || restartBytes < 1 || limitBytes < 1) {
                throw new IllegalArgumentException("interval, restartBytes and limitBytes must be positive");
            }
        }

        static Policy defaults() {
            return new Policy(DEFAULT_INTERVAL, DEFAULT_RESTART_BYTES, DEFAULT_LIMIT_BYTES);
        }
    }

    private final Connection connection; // the thread's own, and close()'s after the thread ended
    private final Path wal;
    private final Policy policy;
    private final Thread thread;
    private volatile boolean stopping;
    /** Set by the thread after a passive checkpoint that left a long log: the writer restarts it. */
    private volatile boolean restartWanted;
    private final AtomicLong passive = new AtomicLong();
    private final AtomicLong truncated = new AtomicLong();
    private final AtomicLong restarted = new AtomicLong();
    /** WAL frames the writer copied into the database itself (each is a page written and fsynced while commits wait). */
    private final AtomicLong writerFrames = new AtomicLong();
    /** Wall time the writer spent in its own checkpoints, in total and the longest one (commits wait meanwhile). */
    private final AtomicLong writerNanos = new AtomicLong();
    private final AtomicLong longestWriterNanos = new AtomicLong();
    /** The WAL frames the thread's last checkpoint had copied, counted from the log's start. */
    private volatile long threadBackfilled;
    private boolean failing; // the thread only: log a failure streak once
    /** Commits since the writer last looked at the file's size (a stat costs it ~1 % at small groups). */
    private int commitsUnchecked; // the writer thread only
    /** A transaction adds at most a few MiB: looking every 16 commits keeps the file within a few of those of its limit. */
    static final int SIZE_CHECK_EVERY = 16;

    SqliteCheckpointer(String name, Connection connection, Path database, Policy policy) {
        this.connection = connection;
        this.wal = database.resolveSibling(database.getFileName() + "-wal");
        this.policy = policy;
        this.thread = new Thread(this::run, name + "-checkpointer");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Called by the writer thread after a commit, on its own connection and outside a transaction: checkpoints so the
     * log can restart when the checkpointer asked for it or the file passed the limit. Blocks the writer while it runs.
     */
    void afterCommit(Connection writer) throws SQLException {
        boolean pastLimit;
        if (restartWanted) {
            pastLimit = walBytes() > policy.limitBytes();
        } else {
            if (++commitsUnchecked < SIZE_CHECK_EVERY) {
                return;
            }
            commitsUnchecked = 0;
            if (walBytes() <= policy.limitBytes()) {
                return;
            }
            pastLimit = true;
        }
        // a long log after the thread's passes: a passive checkpoint copies what they left (no commit can add to it
        // meanwhile: this is the writer) without waiting for readers, and the next commit starts the log over unless a
        // reader still reads from it; past the limit, RESTART waits for those readers too
        restartWanted = false;
        long start = System.nanoTime();
        long[] result = checkpoint(writer, pastLimit ? "RESTART" : "PASSIVE");
        long took = System.nanoTime() - start;
        writerNanos.addAndGet(took);
        longestWriterNanos.accumulateAndGet(took, Math::max);
        restarted.incrementAndGet();
        writerFrames.addAndGet(Math.max(0, result[2] - threadBackfilled));
    }

    /** Passive checkpoints run by the thread. */
    long passiveCheckpoints() {
        return passive.get();
    }

    /** Idle checkpoints that emptied the WAL file. */
    long truncations() {
        return truncated.get();
    }

    /** Checkpoints run by the writer to restart the log (a long log after the thread's passes, or the file past its limit). */
    long restarts() {
        return restarted.get();
    }

    /** WAL frames the writer's own checkpoints copied beyond what the thread's last checkpoint had (an upper bound). */
    long writerCopiedFrames() {
        return writerFrames.get();
    }

    /** Wall time the writer spent in its own checkpoints so far, in ns. */
    long writerCheckpointNanos() {
        return writerNanos.get();
    }

    /** The longest of the writer's own checkpoints so far, in ns. */
    long longestWriterCheckpointNanos() {
        return longestWriterNanos.get();
    }

    /** The size of the WAL file now (0 when there is none). */
    long walBytes() {
        try {
            return Files.size(wal);
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            return 0; // unknown: no reason to stall the writer
        }
    }

    private void run() {
        long seen = Long.MIN_VALUE;
        long pause = policy.interval().toNanos();
        while (!stopping) {
            long until = System.nanoTime() + pause;
            long left;
            while (!stopping && (left = until - System.nanoTime()) > 0) {
                LockSupport.parkNanos(this, left);
            }
            if (stopping) {
                return;
            }
            try {
                long version = dataVersion();
                if (version != seen) {
                    long[] result = checkpoint(connection, "PASSIVE");
                    passive.incrementAndGet();
                    threadBackfilled = result[2];
                    long logPages = result[1];
                    if (logPages * pageSize() > policy.restartBytes()) {
                        restartWanted = true;
                    }
                } else if (walBytes() > 0) {
                    long[] result = checkpoint(connection, "TRUNCATE");
                    if (result[0] == 0) {
                        truncated.incrementAndGet();
                    }
                }
                seen = version;
                if (failing) {
                    failing = false;
                    log.info("WAL checkpoints of {} work again", wal);
                }
            } catch (SQLException | RuntimeException e) {
                if (!failing) {
                    failing = true;
                    log.warn("WAL checkpoint of {} failed (tried again in {} ms): {}", wal, policy.interval().toMillis(), e.toString());
                }
            }
        }
    }

    /** Changes whenever another connection committed since this one last asked. */
    private long dataVersion() throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("PRAGMA data_version")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private long pageSize() throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("PRAGMA page_size")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** {@code PRAGMA wal_checkpoint(mode)}: {busy (1 when it could not finish), log frames, frames checkpointed}. */
    private static long[] checkpoint(Connection c, String mode) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(" + mode + ")")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
        }
    }

    /** Stops the thread, then empties the WAL: call once the writer has stopped. */
    @Override
    public void close() {
        stopping = true;
        LockSupport.unpark(thread);
        boolean interrupted = false;
        while (thread.isAlive() && thread != Thread.currentThread()) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(30));
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        try {
            checkpoint(connection, "TRUNCATE");
        } catch (SQLException e) {
            log.warn("final WAL checkpoint of {} failed (the next open recovers from the WAL): {}", wal, e.toString());
        }
        try {
            connection.close();
        } catch (SQLException ignored) {
            // nothing left to do with it
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
