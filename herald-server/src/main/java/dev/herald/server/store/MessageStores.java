package dev.herald.server.store;

import dev.herald.core.notify.NotifyStore;
import dev.herald.core.store.MemoryMessageStore;
import dev.herald.core.store.MessageStore;
import dev.herald.core.store.StoreLimits;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Opens the message store a {@code store} setting names:
 * <ul>
 *   <li>empty or {@code sqlite}: SQLite in {@code <dataDir>/herald.db} (the default);</li>
 *   <li>{@code sqlite:/path/to/file.db}: SQLite in that file ({@code ?synchronous=normal} trades power-loss
 *       durability for speed, see {@link SqliteSync});</li>
 *   <li>{@code postgresql://user:password@host:port/db} (also {@code postgres://} and {@code jdbc:postgresql://...}):
 *       PostgreSQL, shared by several nodes;</li>
 *   <li>{@code memory}: in memory, lost on restart.</li>
 * </ul>
 */
public final class MessageStores {
    /** The SQLite file's name in the data directory. */
    public static final String SQLITE_FILE = "herald.db";

    private MessageStores() { }

    /**
     * @throws IllegalArgumentException for a setting that names no known store
     * @throws dev.herald.core.store.StoreUnavailableException when the database cannot be opened or migrated
     */
    public static MessageStore open(String storeUrl, Path dataDir, StoreLimits limits) {
        return open(storeUrl, dataDir, limits, JdbcStoreOptions.defaults());
    }

    public static MessageStore open(String storeUrl, Path dataDir, StoreLimits limits, JdbcStoreOptions options) {
        String url = storeUrl == null ? "" : storeUrl.trim();
        if (url.equals("memory")) {
            return new MemoryMessageStore(limits);
        }
        if (url.isEmpty() || url.equals("sqlite")) {
            return JdbcMessageStore.sqlite(dataDir.resolve(SQLITE_FILE), limits, options);
        }
        if (url.startsWith("sqlite:")) {
            return openSqlite(url.substring("sqlite:".length()), limits, options);
        }
        if (PostgresUrl.matches(url)) {
            return JdbcMessageStore.postgres(url, limits, options);
        }
        throw new IllegalArgumentException("unknown message store '" + PostgresUrl.redact(url) + "': use sqlite, sqlite:/path/to/file.db, "
                + "postgresql://user@host:port/db or memory");
    }

    /**
     * The channel deliveries' store of {@code store}: every store {@link #open} makes keeps them next to the
     * messages (jobs commit with their message), so this is the same object.
     *
     * @throws IllegalArgumentException for a store that keeps no channel deliveries (a test double, say)
     */
    public static NotifyStore notifyStore(MessageStore store) {
        if (store instanceof NotifyStore notify) {
            return notify;
        }
        throw new IllegalArgumentException("the message store " + store.describe() + " keeps no channel deliveries");
    }

    /** A store setting fit for logs and errors: any password replaced by {@code ***}. */
    public static String redact(String storeUrl) {
        return PostgresUrl.redact(storeUrl);
    }

    private static MessageStore openSqlite(String spec, StoreLimits limits, JdbcStoreOptions options) {
        String path = spec;
        int q = spec.indexOf('?');
        if (q >= 0) {
            path = spec.substring(0, q);
            for (String param : spec.substring(q + 1).split("&")) {
                String[] kv = param.split("=", 2);
                if (kv.length == 2 && kv[0].equals("synchronous")) {
                    options = options.withSqliteSync(sqliteSync(kv[1]));
                } else if (!param.isEmpty()) {
                    throw new IllegalArgumentException("unknown SQLite store option '" + param + "': the only one is synchronous=full|normal");
                }
            }
        }
        if (path.isEmpty()) {
            throw new IllegalArgumentException("sqlite: needs a file, e.g. sqlite:/var/lib/herald/herald.db");
        }
        return JdbcMessageStore.sqlite(Path.of(path), limits, options);
    }

    private static SqliteSync sqliteSync(String value) {
        try {
            return SqliteSync.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("synchronous must be full or normal, not '" + value + "'", e);
        }
    }
}
