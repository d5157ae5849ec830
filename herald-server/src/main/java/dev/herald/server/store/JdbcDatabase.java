package dev.herald.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.herald.core.store.StoreUnavailableException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.postgresql.ds.PGSimpleDataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connections of one store: a writer pool of one connection (all writes go through the store's single
 * writer thread) and a reader pool; for SQLite also the {@link SqliteCheckpointer} that keeps checkpoints off
 * the writer. Opening migrates the schema. A connection that failed is evicted, so the next transaction gets a
 * fresh one once the database is back. Thread-safe.
 */
final class JdbcDatabase implements AutoCloseable {
    private static final AtomicInteger OPENED = new AtomicInteger();
    /** Longer than any statement should take (a maintenance pass purging a backlog included). */
    static final int POSTGRES_SOCKET_TIMEOUT_SECONDS = 120;
    /** The writer's page cache: 8 MiB (see {@link #sqliteSource}). */
    static final int WRITER_CACHE_KIB = 8 * 1024;
    /** Readers hold a snapshot for a few ms; an idle checkpoint that waits longer is tried again at the next idle tick. */
    private static final int CHECKPOINTER_BUSY_TIMEOUT_MILLIS = 100;

    /** A name for the store's threads and pools: {@code herald-store-<n>}. */
    final String name;
    final SqlDialect dialect;
    final String description;
    private final HikariDataSource writer;
    private final HikariDataSource reader;
    private final SqliteCheckpointer checkpointer; // SQLite only
    private final SqliteOwnerLock ownerLock;       // SQLite only: one Herald per file

    private JdbcDatabase(String name, SqlDialect dialect, String description, HikariDataSource writer, HikariDataSource reader,
                         SqliteCheckpointer checkpointer, SqliteOwnerLock ownerLock) {
        this.ownerLock = ownerLock;
        this.name = name;
        this.dialect = dialect;
        this.description = description;
        this.writer = writer;
        this.reader = reader;
        this.checkpointer = checkpointer;
    }

    /**
     * SQLite in one file, WAL mode: readers see the last commit while the writer goes on. {@code busy_timeout}
     * lets a transaction wait for another process's lock instead of failing at once.
     */
    static JdbcDatabase sqlite(Path file, JdbcStoreOptions options) {
        return sqlite(file, options, SqliteCheckpointer.Policy.defaults());
    }

    /** SQLite with its own checkpoint policy (tests: short intervals, small limits). */
    static JdbcDatabase sqlite(Path file, JdbcStoreOptions options, SqliteCheckpointer.Policy wal) {
        Path absolute = file.toAbsolutePath().normalize();
        try {
            if (absolute.getParent() != null) {
                Files.createDirectories(absolute.getParent());
            }
        } catch (IOException e) {
            throw new StoreUnavailableException("cannot create the directory of " + absolute + ": " + e.getMessage(), e);
        }
        String url = "jdbc:sqlite:" + absolute;
        SqliteOwnerLock ownerLock = SqliteOwnerLock.acquire(absolute);
        int pageSize;
        try {
            pageSize = SqliteFile.prepare(url, options.sqlitePageSize(), (int) options.connectionTimeout().toMillis());
            migrate(SqlDialect.SQLITE, sqliteSource(url, options, pageSize, SqliteRole.READER, wal));
        } catch (SQLException e) {
            ownerLock.close();
            throw unavailable("cannot open " + absolute, e);
        } catch (RuntimeException e) {
            ownerLock.close();
            throw e;
        }
        String name = "herald-store-" + OPENED.incrementAndGet();
        HikariDataSource writer = null;
        HikariDataSource reader = null;
        try {
            writer = pool(name + "-writer-pool", sqliteSource(url, options, pageSize, SqliteRole.WRITER, wal), SqlDialect.SQLITE, 1, options, null);
            reader = pool(name + "-reader-pool", sqliteSource(url, options, pageSize, SqliteRole.READER, wal), SqlDialect.SQLITE,
                    options.readerThreads(), options, null);
            Connection own = sqliteSource(url, options, pageSize, SqliteRole.CHECKPOINTER, wal).getConnection();
            SqliteCheckpointer checkpointer = new SqliteCheckpointer(name, own, absolute, wal);
            return new JdbcDatabase(name, SqlDialect.SQLITE, "sqlite:" + absolute + " (WAL, synchronous=" + options.sqliteSync() + ")",
                    writer, reader, checkpointer, ownerLock);
        } catch (RuntimeException | SQLException e) {
            closeQuietly(writer);
            closeQuietly(reader);
            ownerLock.close();
            throw unavailable("cannot open " + absolute, e);
        }
    }

    private enum SqliteRole { WRITER, READER, CHECKPOINTER }

    private static DataSource sqliteSource(String url, JdbcStoreOptions options, int pageSize, SqliteRole role,
                                           SqliteCheckpointer.Policy wal) {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(options.sqliteSync() == SqliteSync.FULL
                ? SQLiteConfig.SynchronousMode.FULL : SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout((int) options.connectionTimeout().toMillis());
        // the driver would otherwise match every statement it runs against an INSERT pattern and, for each insert,
        // prepare and run SELECT last_insert_rowid(): 3.8 % of the writer's CPU (JFR), for keys nothing here reads
        config.setGetGeneratedKeys(false);
        if (options.sqliteMaxBytes() > 0) {
            config.setMaxPageCount((int) Math.min(Integer.MAX_VALUE, SqliteFile.maxPageCount(options.sqliteMaxBytes(), pageSize)));
        }
        if (role == SqliteRole.WRITER) {
            // a page cache bigger than SQLite's 2 MiB keeps the hot ends of the indexes in memory across transactions
            // (negative = KiB); but not much bigger: every commit walks the whole cache's hash table (SQLite's pcache1
            // truncate to the file's size, measured with a uprobe: at each commit the cache's largest page number was
            // 1,048,577, the lock-byte page at 1 GiB, far beyond the file, so the walk never takes its short path),
            // which at 64 MiB took about a third of the writer's CPU
            config.setCacheSize(-WRITER_CACHE_KIB);
            // commits never checkpoint: the checkpointer's thread does (see SqliteCheckpointer); a restarted log
            // longer than the limit is cut back to it
            config.setWalAutocheckpoint(0);
            config.setJournalSizeLimit((int) Math.min(Integer.MAX_VALUE, wal.limitBytes()));
        } else if (role == SqliteRole.CHECKPOINTER) {
            // an idle TRUNCATE holds the write lock while it waits for readers: give up soon rather than stall a write
            config.setBusyTimeout(CHECKPOINTER_BUSY_TIMEOUT_MILLIS);
        }
        SQLiteDataSource source = new SQLiteDataSource(config);
        source.setUrl(url);
        return source;
    }

    /** PostgreSQL; several Herald nodes may share one database (idempotency keys hold across them). */
    static JdbcDatabase postgres(PostgresUrl url, JdbcStoreOptions options) {
        PGSimpleDataSource direct = new PGSimpleDataSource();
        direct.setURL(url.jdbcUrl());
        if (url.user() != null) {
            direct.setUser(url.user());
        }
        if (url.password() != null) {
            direct.setPassword(url.password());
        }
        // a server that stops answering (a black-holed network, not a refused connection) must fail the writes,
        // not hang the writer: defaults unless the URL sets its own
        if (!url.hasParam("connectTimeout")) {
            direct.setConnectTimeout((int) Math.max(1, options.connectionTimeout().toSeconds()));
        }
        if (!url.hasParam("socketTimeout")) {
            direct.setSocketTimeout(POSTGRES_SOCKET_TIMEOUT_SECONDS);
        }
        if (!url.hasParam("tcpKeepAlive")) {
            direct.setTcpKeepAlive(true);
        }
        migrate(SqlDialect.POSTGRESQL, direct, url.schema());
        String name = "herald-store-" + OPENED.incrementAndGet();
        HikariDataSource writer = null;
        try {
            writer = pool(name + "-writer-pool", direct, SqlDialect.POSTGRESQL, 1, options, null);
            // one snapshot per replay, so its page and its gap agree
            HikariDataSource reader = pool(name + "-reader-pool", direct, SqlDialect.POSTGRESQL, options.readerThreads(), options,
                    "TRANSACTION_REPEATABLE_READ");
            return new JdbcDatabase(name, SqlDialect.POSTGRESQL, url.display(), writer, reader, null, null);
        } catch (RuntimeException e) {
            closeQuietly(writer);
            throw unavailable("cannot connect to " + url.display(), e);
        }
    }

    private static HikariDataSource pool(String name, DataSource source, SqlDialect dialect, int size, JdbcStoreOptions options,
                                         String isolation) {
        HikariConfig config = new HikariConfig();
        if (isolation != null) {
            config.setTransactionIsolation(isolation);
        }
        config.setPoolName(name);
        config.setDataSource(source);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(size);
        config.setAutoCommit(dialect.autoCommit);
        config.setConnectionTimeout(options.connectionTimeout().toMillis());
        config.setValidationTimeout(Math.min(options.connectionTimeout().toMillis(), 5_000));
        return new HikariDataSource(config);
    }

    private static void migrate(SqlDialect dialect, DataSource source) {
        migrate(dialect, source, null);
    }

    private static void migrate(SqlDialect dialect, DataSource source, String schema) {
        try {
            var config = Flyway.configure().dataSource(source).locations(dialect.migrations).cleanDisabled(true);
            if (schema != null) {
                config.schemas(schema).createSchemas(true);
            }
            config.load().migrate();
        } catch (FlywayException e) {
            throw unavailable("cannot migrate the " + dialect.scheme + " schema", e);
        }
    }

    private static StoreUnavailableException unavailable(String what, Exception e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return new StoreUnavailableException(what + ": " + cause.getMessage(), e);
    }

    Connection writer() throws SQLException {
        return writer.getConnection();
    }

    Connection reader() throws SQLException {
        return reader.getConnection();
    }

    /**
     * Called by the writer thread after each commit, outside a transaction: SQLite restarts its WAL here when it
     * grew long (see {@link SqliteCheckpointer}); nothing for PostgreSQL.
     */
    void afterCommit(Connection writerConnection) throws SQLException {
        if (checkpointer != null) {
            checkpointer.afterCommit(writerConnection);
        }
    }

    /** SQLite's checkpointer; {@code null} for PostgreSQL. */
    SqliteCheckpointer checkpointer() {
        return checkpointer;
    }

    /** Drops a writer connection that saw a failure instead of returning it to the pool: no poisoned connection. */
    void evictWriter(Connection c) {
        if (c != null) {
            writer.evictConnection(c);
        }
    }

    /** Drops a reader connection that saw a failure. */
    void evictReader(Connection c) {
        if (c != null) {
            reader.evictConnection(c);
        }
    }

    /** Call after the writer stopped: SQLite's last checkpoint empties the WAL before the connections close. */
    @Override
    public void close() {
        if (checkpointer != null) {
            checkpointer.close();
        }
        closeQuietly(writer);
        closeQuietly(reader);
        if (ownerLock != null) {
            ownerLock.close(); // last: the file is free once nothing of this store touches it
        }
    }

    private static void closeQuietly(HikariDataSource pool) {
        if (pool != null) {
            pool.close();
        }
    }
}
