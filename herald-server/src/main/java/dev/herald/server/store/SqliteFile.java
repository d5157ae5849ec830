package dev.herald.server.store;

import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Prepares an SQLite database file before the store's pools open it: a new file gets the configured page size, then
 * WAL mode. The order matters: SQLite fixes the page size when it writes the file's first page, and a database in
 * WAL mode cannot change it any more, so the page size must be set on a connection that has not switched to WAL
 * (the pools' connections switch as they open). An existing file keeps its page size: changing it would take a
 * {@code VACUUM} out of WAL mode, a rewrite of the whole file at start-up.
 */
final class SqliteFile {
    private SqliteFile() { }

    /**
     * Creates the file with {@code newPageSize} if it has no database yet, puts it in WAL mode; returns its page size.
     * Waits up to {@code busyTimeoutMillis} for another process's lock on the file.
     */
    static int prepare(String url, int newPageSize, int busyTimeoutMillis) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(busyTimeoutMillis);
        SQLiteDataSource plain = new SQLiteDataSource(config);
        plain.setUrl(url);
        try (Connection c = plain.getConnection(); Statement s = c.createStatement()) {
            // a no-op on a file that already has pages
            s.execute("PRAGMA page_size = " + newPageSize);
            s.execute("PRAGMA journal_mode = WAL");
            try (ResultSet rs = s.executeQuery("PRAGMA page_size")) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** {@code max_page_count} for a size limit: the whole pages that fit in {@code maxBytes}, at least one. */
    static long maxPageCount(long maxBytes, int pageSize) {
        return Math.max(1, maxBytes / pageSize);
    }
}
