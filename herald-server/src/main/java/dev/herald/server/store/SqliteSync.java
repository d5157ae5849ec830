package dev.herald.server.store;

/**
 * When an SQLite commit reaches the disk (the {@code synchronous} pragma, in WAL mode). Either way a
 * committed message survives the Herald process being killed ({@code SIGKILL}, OOM killer, crash): the
 * commit has been written to the WAL file, and the operating system keeps the file's pages. The difference
 * is a crash of the whole machine (power loss, kernel panic).
 */
public enum SqliteSync {
    /**
     * Every commit waits for an fsync of the WAL: a message answered with 2xx survives power loss too
     * (as far as the disk honours fsync). Group commit shares one fsync among all messages of a transaction.
     * The default.
     */
    FULL,
    /**
     * Commits do not wait for the disk; the WAL is synced at checkpoints. Power loss may lose the last
     * commits (since the last checkpoint: about a second of them: checkpoints run every second), never corrupts the database.
     */
    NORMAL
}
