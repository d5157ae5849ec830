package dev.herald.server.store;

import dev.herald.core.store.StoreUnavailableException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One Herald per SQLite file: an exclusive lock on {@code <file>.lock}, held while the store is open. The writer keeps
 * the streams' heads in memory ({@link SqliteStreamHeads}), so a second writer on the same file would give out the
 * same positions twice; it is refused at start instead, with the reason. The lock is the operating system's
 * ({@code fcntl} on Linux), so it goes with the process however that ends, and it is a file of its own because
 * locking the database file itself would interfere with SQLite's own locks on it.
 */
final class SqliteOwnerLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private SqliteOwnerLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock of {@code databaseFile} or fails at once, naming the file. */
    static SqliteOwnerLock acquire(Path databaseFile) {
        Path lockFile = databaseFile.resolveSibling(databaseFile.getFileName() + ".lock");
        FileChannel channel;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new StoreUnavailableException("cannot open " + lockFile + ": " + e.getMessage(), e);
        }
        FileLock lock = null;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            // held by this process already: another store of this JVM has the file open
        } catch (IOException e) {
            closeQuietly(channel);
            throw new StoreUnavailableException("cannot lock " + lockFile + ": " + e.getMessage(), e);
        }
        if (lock == null) {
            closeQuietly(channel);
            throw new StoreUnavailableException(databaseFile + " is in use by another Herald (it holds " + lockFile
                    + "): an SQLite store serves one node; stop the other one, give this one its own data-dir, or run"
                    + " several nodes on PostgreSQL (--store postgresql://…)");
        }
        return new SqliteOwnerLock(channel, lock);
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it too
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }
}
