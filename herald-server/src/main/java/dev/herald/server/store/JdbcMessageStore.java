package dev.herald.server.store;

import dev.herald.core.notify.Attempt;
import dev.herald.core.notify.Contacts;
import dev.herald.core.notify.DeadLetterQuery;
import dev.herald.core.notify.JobState;
import dev.herald.core.notify.NotifyJob;
import dev.herald.core.notify.NotifyStore;
import dev.herald.core.store.Appended;
import dev.herald.core.store.Maintenance;
import dev.herald.core.store.MessageStore;
import dev.herald.core.store.Receipt;
import dev.herald.core.store.Replay;
import dev.herald.core.store.ReplayRequest;
import dev.herald.core.store.StatusUpdate;
import dev.herald.core.store.StoreLimits;
import dev.herald.core.store.StoreUnavailableException;
import dev.herald.core.store.StoredMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link MessageStore} and {@link NotifyStore} in SQLite (one file, the embedded default) or PostgreSQL
 * (shared by several nodes), with the semantics of {@code MemoryMessageStore}.
 *
 * <p><b>Writes</b> (appends, status updates, maintenance) are queued and committed by one writer thread
 * (group commit): it takes everything queued, up to {@link JdbcStoreOptions#maxGroupMessages()} messages, and
 * commits it in one transaction with JDBC batches, so one commit (one fsync) serves many callers. Futures
 * complete after the commit, in call order (so appends complete in commit order, and an append's caller step, its
 * live fan-out, runs in that order), on one completion thread that is not the writer, so the writer goes on
 * committing while callers fan out. If the transaction fails it is rolled back whole: every operation of the
 * group fails with {@link StoreUnavailableException} and nothing of it is visible; operations already queued
 * behind it fail at once too (they would meet the same database), the connection is dropped, and the next
 * operation starts afresh on a new connection, so the store recovers by itself when the database is back.
 * Past {@link JdbcStoreOptions#maxQueuedMessages()} queued messages, new writes fail at once (still in order).
 *
 * <p><b>Channel deliveries</b> of an appended message are inserted in its transaction ({@link WriteTransaction});
 * the other {@link NotifyStore} writes (claims, completions, contacts…) are queued writes like status updates
 * ({@link NotifyOp}, {@link NotifyWrites}; completions batched by {@link JobCompletions}), its reads go to the reader pool ({@link NotifyReads}).
 *
 * <p><b>Reads</b> (replay, receipt, jobs, dead letters, contacts) run on a small reader pool, never on the writer or the caller's thread, see
 * every commit whose future has completed, and complete on the reader thread as soon as they are read (a replay
 * page and the head it names come from one snapshot, see {@link StoreReads}). A read that finds its pooled
 * connection broken (the database restarted since) is tried once more on a fresh one.
 *
 * <p><b>Durability</b>: a completed append is committed. SQLite: WAL mode; with {@link SqliteSync#FULL} (default)
 * every commit fsyncs the WAL, so it survives a process crash and power loss; with {@link SqliteSync#NORMAL} it
 * survives a process crash, and power loss may take the last commits before the next checkpoint (about a second:
 * checkpoints run off the writer, {@link SqliteCheckpointer}). PostgreSQL:
 * as the server's {@code synchronous_commit} says (on by default: the WAL is flushed before the commit returns).
 * A connection lost during the commit itself leaves its outcome unknown: the caller sees a failure for a
 * message that may be stored; a retry with the same idempotency key then answers with its id.
 *
 * <p>Thread-safe; no method blocks on I/O. {@link #close()} finishes queued writes, then stops the threads and
 * closes the connections; later calls fail with {@link StoreUnavailableException}.
 */
public final class JdbcMessageStore implements MessageStore, NotifyStore {
    private static final Logger log = LoggerFactory.getLogger(JdbcMessageStore.class);

    private final JdbcDatabase db;
    private final StoreLimits limits;
    private final JdbcStoreOptions options;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final ArrayDeque<WriteOp<?>> queue = new ArrayDeque<>(); // guarded by lock
    private int queuedUnits;                                         // guarded by lock
    private boolean closed;                                          // guarded by lock
    private final Thread writer;
    private final ExecutorService completions;
    private final ExecutorService readers;
    private final StreamTracker streams = new StreamTracker();       // writer thread only
    private final SqliteStreamHeads sqliteHeads;                     // writer thread only; null on PostgreSQL
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong failedCommits = new AtomicLong();
    private boolean failing;                                         // writer thread only: log a failure streak once
    private SqlSession session;                                      // writer thread only: kept across transactions
    private volatile IntConsumer groupSizes = size -> { };

    JdbcMessageStore(JdbcDatabase db, StoreLimits limits, JdbcStoreOptions options) {
        this.db = db;
        this.sqliteHeads = db.dialect == SqlDialect.SQLITE ? new SqliteStreamHeads(SqliteStreamHeads.DEFAULT_CAPACITY) : null;
        this.limits = limits;
        this.options = options;
        this.completions = Executors.newSingleThreadExecutor(daemon(db.name + "-completions"));
        this.readers = Executors.newFixedThreadPool(options.readerThreads(), daemon(db.name + "-reader"));
        this.writer = daemon(db.name + "-writer").newThread(this::runWriter);
        this.writer.start();
    }

    /** SQLite in {@code file} (created with its directory when missing), schema migrated. */
    public static JdbcMessageStore sqlite(Path file, StoreLimits limits, JdbcStoreOptions options) {
        return new JdbcMessageStore(JdbcDatabase.sqlite(file, options), limits, options);
    }

    /** SQLite with its own checkpoint policy (tests: short intervals, small limits). */
    static JdbcMessageStore sqlite(Path file, StoreLimits limits, JdbcStoreOptions options, SqliteCheckpointer.Policy wal) {
        return new JdbcMessageStore(JdbcDatabase.sqlite(file, options, wal), limits, options);
    }

    /**
     * PostgreSQL at {@code url} ({@code postgresql://user:password@host:port/db?currentSchema=s} or
     * {@code jdbc:postgresql://...}), schema migrated (a {@code currentSchema} that does not exist is created).
     *
     * @throws StoreUnavailableException when the database cannot be reached or migrated
     */
    public static JdbcMessageStore postgres(String url, StoreLimits limits, JdbcStoreOptions options) {
        return new JdbcMessageStore(JdbcDatabase.postgres(PostgresUrl.parse(url), options), limits, options);
    }

    // ---- the API: writes are queued for the writer, reads go to the reader pool

    @Override
    public <T> CompletableFuture<T> append(List<StoredMessage> messages, Function<List<Appended>, T> committed) {
        return enqueue(new WriteOp.Append<>(List.copyOf(messages), committed));
    }

    @Override
    public CompletableFuture<Integer> updateStatus(List<StatusUpdate> updates) {
        return enqueue(new WriteOp.Status(List.copyOf(updates)));
    }

    @Override
    public CompletableFuture<Maintenance> maintain(long now) {
        return enqueue(new WriteOp.Maintain(limits, now));
    }

    @Override
    public CompletableFuture<Replay> replay(ReplayRequest request, long now) {
        return read(c -> StoreReads.replay(c, db.dialect, request, now));
    }

    @Override
    public CompletableFuture<Optional<Receipt>> receipt(String messageId, long now) {
        return read(c -> StoreReads.receipt(c, messageId, now));
    }

    // ---- NotifyStore: writes are queued for the writer, reads go to the reader pool

    @Override
    public CompletableFuture<Void> enqueue(List<NotifyJob> jobs) {
        List<NotifyJob> copy = List.copyOf(jobs);
        return enqueue(new NotifyOp<>(copy.size(), w -> {
            w.insert(copy);
            return null;
        }));
    }

    @Override
    public CompletableFuture<List<NotifyJob>> claimDue(String channel, long now, long leaseUntil, int limit) {
        return enqueue(new NotifyOp<>(1, w -> w.claimDue(channel, now, leaseUntil, limit)));
    }

    @Override
    public CompletableFuture<Boolean> complete(String jobId, Attempt attempt, JobState next, long nextDueAt, String lastError) {
        return enqueue(new NotifyOp.Complete(jobId, attempt, next, nextDueAt, lastError));
    }

    @Override
    public CompletableFuture<Integer> cancelFallbacks(String messageId, String userId) {
        return enqueue(new NotifyOp<>(1, w -> w.cancelFallbacks(messageId, userId)));
    }

    @Override
    public CompletableFuture<Boolean> retryDead(String jobId, long now, long deadline) {
        return enqueue(new NotifyOp<>(1, w -> w.retryDead(jobId, now, deadline)));
    }

    @Override
    public CompletableFuture<Boolean> deleteDead(String jobId) {
        return enqueue(new NotifyOp<>(1, w -> w.deleteDead(jobId)));
    }

    @Override
    public CompletableFuture<Integer> purgeFinished(long before) {
        return enqueue(new NotifyOp<>(1, w -> w.purgeFinished(before)));
    }

    @Override
    public CompletableFuture<Void> putContacts(String userId, Contacts contacts) {
        return enqueue(new NotifyOp<>(1, w -> {
            w.putContacts(userId, contacts);
            return null;
        }));
    }

    @Override
    public CompletableFuture<Boolean> deleteContacts(String userId) {
        return enqueue(new NotifyOp<>(1, w -> w.deleteContacts(userId)));
    }

    @Override
    public CompletableFuture<Void> disableContact(String userId, String channel, String reason) {
        return enqueue(new NotifyOp<>(1, w -> {
            w.disableContact(userId, channel, reason);
            return null;
        }));
    }

    @Override
    public CompletableFuture<List<NotifyJob>> jobsOf(String messageId) {
        return read(c -> NotifyReads.jobsOf(c, messageId));
    }

    @Override
    public CompletableFuture<Optional<NotifyJob>> job(String jobId) {
        return read(c -> NotifyReads.job(c, jobId));
    }

    @Override
    public CompletableFuture<List<NotifyJob>> deadLetters(DeadLetterQuery query) {
        return read(c -> NotifyReads.deadLetters(c, query));
    }

    @Override
    public CompletableFuture<Long> countDeadLetters(String channel, String userId, String messageId) {
        return read(c -> NotifyReads.countDeadLetters(c, channel, userId, messageId));
    }

    @Override
    public CompletableFuture<Optional<Contacts>> contacts(String userId) {
        return read(c -> NotifyReads.contacts(c, userId));
    }

    @Override
    public String describe() {
        return db.description;
    }

    /** The prefix of this store's thread names, {@code herald-store-<n>}. */
    String name() {
        return db.name;
    }

    /** SQLite's checkpointer; {@code null} for PostgreSQL. */
    SqliteCheckpointer checkpointer() {
        return db.checkpointer();
    }

    /** Whether the database is SQLite (it has a write-ahead log file of its own) rather than PostgreSQL. */
    public boolean isSqlite() {
        return db.dialect == SqlDialect.SQLITE;
    }

    /** SQLite: the size of the write-ahead log file now (bounded, see {@link SqliteCheckpointer}); 0 for PostgreSQL. */
    public long walBytes() {
        SqliteCheckpointer c = db.checkpointer();
        return c == null ? 0 : c.walBytes();
    }

    /**
     * SQLite: checkpoints the writer ran itself, holding up commits while it did (a log left long by the
     * checkpointer's pass, or the file past its limit); 0 for PostgreSQL.
     */
    public long writerCheckpoints() {
        SqliteCheckpointer c = db.checkpointer();
        return c == null ? 0 : c.restarts();
    }

    /** Transactions committed by the writer so far (group commit: far fewer than appends under load). */
    public long commits() {
        return commits.get();
    }

    /** Messages and status updates waiting for the writer (not those it is committing). */
    public int queuedMessages() {
        lock.lock();
        try {
            return queuedUnits;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Tells {@code sizes}, on the writer thread, how many messages and status updates each committed transaction
     * carried (for a metric: it must be quick and must not throw).
     */
    public void observeGroupSizes(IntConsumer sizes) {
        this.groupSizes = sizes;
    }

    /** Transactions that failed and were rolled back. */
    public long failedCommits() {
        return failedCommits.get();
    }

    private <T> CompletableFuture<T> enqueue(WriteOp<T> op) {
        lock.lock();
        try {
            if (closed) {
                return CompletableFuture.failedFuture(new StoreUnavailableException("the message store is closed"));
            }
            if (!queue.isEmpty() && queuedUnits + op.units() > options.maxQueuedMessages()) {
                // fails in its turn, so completions stay in call order
                op.rejected = new StoreUnavailableException("the message store is overloaded: "
                        + queuedUnits + " writes are waiting for the database");
            } else {
                queuedUnits += op.units();
            }
            queue.add(op);
            work.signal();
            return op.future;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs a read on the reader pool and completes it there, as soon as it is read. It sees every write whose
     * future completed before it was called (those are committed); it does not wait for writes called before it
     * that are still queued. A replay needs no more: it names the head it read up to, and the connection drops
     * live messages at or below it ({@code MessageStore} contract, {@code StreamCursors}).
     */
    private <T> CompletableFuture<T> read(SqlFunction<T> query) {
        CompletableFuture<T> future = new CompletableFuture<>();
        try {
            readers.execute(() -> {
                T result;
                try {
                    result = readOnce(query, true);
                } catch (SQLException | RuntimeException e) {
                    future.completeExceptionally(new StoreUnavailableException("cannot read from " + describe() + ": " + e.getMessage(), e));
                    return;
                }
                future.complete(result);
            });
        } catch (RejectedExecutionException e) {
            future.completeExceptionally(new StoreUnavailableException("the message store is closed", e));
        }
        return future;
    }

    /** Reads have no side effects: one found broken (the database restarted since it was last used) is tried again on a new connection. */
    private <T> T readOnce(SqlFunction<T> query, boolean mayRetry) throws SQLException {
        try (SqlSession session = new SqlSession(db.reader(), db.dialect)) {
            try {
                session.begin(false);
                T result = query.apply(session.connection);
                session.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                db.evictReader(session.connection);
                if (!mayRetry || !connectionLost(e)) {
                    throw e;
                }
            }
        }
        return readOnce(query, false);
    }

    /** The connection broke (SQLState class 08, or the server shut the session down), as opposed to an error in the SQL. */
    static boolean connectionLost(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the database rolled the transaction back to break a deadlock or a serialization conflict with another
     * writer (SQLSTATE 40P01, 40001): nothing of it was committed, and the same group run again normally passes. With
     * several nodes on one PostgreSQL database this happens: one node's group records a delivery to a message's
     * recipient, then appends to a stream; another node's group, in the same instant, appends to that stream, then
     * records a delivery of the same message (the user is connected to both nodes).
     */
    static boolean rolledBackByConflict(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && ("40P01".equals(sql.getSQLState()) || "40001".equals(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    // ---- the writer thread

    private void runWriter() {
        while (true) {
            List<WriteOp<?>> group = new ArrayList<>();
            boolean closing = takeGroup(group);
            if (!group.isEmpty()) {
                commit(group);
            }
            if (closing) {
                if (session != null) {
                    session.close();
                    session = null;
                }
                return;
            }
        }
    }

    /** Waits for work, then takes queued operations up to the group limit; {@code true} when the store is closing. */
    private boolean takeGroup(List<WriteOp<?>> group) {
        lock.lock();
        try {
            while (queue.isEmpty() && !closed) {
                work.awaitUninterruptibly();
            }
            int units = 0;
            while (!queue.isEmpty() && (group.isEmpty() || units + queue.peek().queuedUnits() <= options.maxGroupMessages())) {
                WriteOp<?> op = queue.poll();
                units += op.queuedUnits();
                queuedUnits -= op.queuedUnits();
                group.add(op);
            }
            return closed && queue.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    private void commit(List<WriteOp<?>> group) {
        if (group.stream().anyMatch(op -> op.rejected == null)) {
            Failure failure = attempt(group);
            if (failure != null && failure.retry()) {
                // the connection was dead before the commit was sent (the database restarted since it was last
                // used), or the database broke a deadlock with another node's writer by rolling this transaction
                // back: nothing was committed, so the group is tried once more on a fresh connection
                streams.checkAll();
                Failure again = attempt(group);
                if (again != null) {
                    again.cause().addSuppressed(failure.cause());
                }
                failure = again;
            }
            if (failure == null) {
                commits.incrementAndGet();
                groupSizes.accept(group.stream().mapToInt(WriteOp::queuedUnits).sum());
                if (failing) {
                    failing = false;
                    log.info("message store {} is writable again", describe());
                }
            } else {
                fail(group, failure.cause());
            }
        }
        try {
            completions.execute(() -> group.forEach(WriteOp::complete));
        } catch (RejectedExecutionException e) {
            group.forEach(WriteOp::complete); // only after close() gave up waiting for the completions
        }
        if (session != null) {
            afterCommit(); // after handing the results over: callers need not wait for it
        }
    }

    /** SQLite may restart its WAL here, between transactions ({@link SqliteCheckpointer}): the next group waits for it. */
    private void afterCommit() {
        try {
            db.afterCommit(session.connection);
        } catch (SQLException | RuntimeException e) {
            // the commits are safe; the log restarts at a later commit, or the checkpointer's next pass copies it
            log.warn("message store {}: restarting the WAL failed: {}", describe(), e.toString());
        }
    }

    private void fail(List<WriteOp<?>> group, Exception cause) {
        failedCommits.incrementAndGet();
        streams.checkAll();
        if (!failing) {
            failing = true;
            log.warn("message store {}: a transaction failed and was rolled back: {}", describe(), cause.toString());
        }
        StoreUnavailableException failure = new StoreUnavailableException(
                "the message store " + describe() + " could not commit: " + cause.getMessage(), cause);
        group.addAll(drainQueue());
        for (WriteOp<?> op : group) {
            if (op.rejected == null) {
                op.rejected = failure;
            }
        }
    }

    /** Why a transaction failed (it was rolled back and its connection dropped), and whether trying again is safe. */
    private record Failure(Exception cause, boolean retry) { }

    /** One try at committing the group: {@code null} when committed. */
    private Failure attempt(List<WriteOp<?>> group) {
        boolean committing = false;
        try {
            if (session == null) {
                session = new SqlSession(db.writer(), db.dialect);
            }
            WriteTransaction tx = new WriteTransaction(session, streams, sqliteHeads);
            session.begin(true);
            for (WriteOp<?> op : group) {
                if (op.rejected == null) {
                    op.apply(tx);
                }
            }
            tx.flush();
            committing = true;
            session.commit();
            if (sqliteHeads != null) {
                sqliteHeads.committed();
            }
            return null;
        } catch (SQLException | RuntimeException e) {
            if (sqliteHeads != null) {
                sqliteHeads.forget();
            }
            boolean hadSession = session != null;
            if (hadSession) {
                try {
                    session.rollback();
                } catch (SQLException | RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                // a connection that failed is not used again: the next attempt gets a fresh one from the pool
                db.evictWriter(session.connection);
                session.close();
                session = null;
            }
            return new Failure(e, hadSession && (!committing && connectionLost(e) || rolledBackByConflict(e)));
        }
    }

    /** After a failure, the operations queued behind it: they fail now instead of each waiting for the dead database. */
    private List<WriteOp<?>> drainQueue() {
        lock.lock();
        try {
            List<WriteOp<?>> drained = new ArrayList<>(queue);
            queue.clear();
            queuedUnits = 0;
            return drained;
        } finally {
            lock.unlock();
        }
    }

    // ---- closing

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            work.signal();
        } finally {
            lock.unlock();
        }
        join(writer);
        completions.shutdown();
        readers.shutdown();
        // a callback on one of the store's own threads may close it: that thread cannot wait for itself
        if (!Thread.currentThread().getName().startsWith(db.name + "-")) {
            await(completions);
            await(readers);
        }
        db.close();
    }

    private static void join(Thread t) {
        if (t == Thread.currentThread()) {
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(ExecutorService executor) {
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("message store threads did not finish within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name.endsWith("-reader") ? name + "-" + n.incrementAndGet() : name);
            t.setDaemon(true);
            return t;
        };
    }

    @FunctionalInterface
    private interface SqlFunction<T> {
        T apply(Connection c) throws SQLException;
    }
}
