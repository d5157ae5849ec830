package dev.herald.server.store;

import dev.herald.core.message.MessageIds;
import dev.herald.core.store.StoreLimits;
import dev.herald.core.store.StoredMessage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Not a test: the exact bytes an SQLite store sends to the disk per message, for groups of a fixed size. Appends
 * 100-byte messages, each to the next of 10,000 users, in calls of {@code group} messages one after the other (so
 * every transaction is one call: the group size of the server at a given load), and counts {@code write_bytes} of
 * {@code /proc/self/io} from opening the store to closing it, so the WAL, the checkpoints and the final checkpoint
 * are all in. The database is filled first (one message per user, then reopened), so its indexes have their
 * steady-state depth. Exact whatever the machine's load, unlike the time it takes (printed for orientation only).
 *
 * <pre>
 * java -cp herald-server/target/herald.jar:herald-server/target/test-classes [-Dinterval=ms] [-DrestartMiB=n] [-DpageSize=bytes] [-Drandom=true] [-Dmessages=n] [-Drate=r] dev.herald.server.store.SqliteWriteBytesProbe [group…]
 * </pre>
 * {@code -Dinterval} sets the checkpointer's interval (default {@link SqliteCheckpointer.Policy#DEFAULT_INTERVAL});
 * {@code -DrestartMiB} the log length past which the writer restarts it (default {@link SqliteCheckpointer.Policy#DEFAULT_RESTART_BYTES});
 * {@code -DpageSize} the new file's page size (default {@link JdbcStoreOptions#DEFAULT_SQLITE_PAGE_SIZE});
 * {@code -Drandom=true} picks each message's user at random (fixed seed) instead of in round robin; {@code -Dkeep=true}
 * leaves the database file for a look inside (its path is printed); {@code -Dmessages=n} sends n messages instead of
 * 100,000 (2,000 for groups of 1); {@code -Drate=r} sends the calls at r messages per second (open loop) instead of one after
 * the other. Besides the bytes it prints the checkpoints and the WAL frames the writer copied
 * itself (pages written and fsynced while commits wait, {@link SqliteCheckpointer#writerCopiedFrames()}) and the wall time
 * those checkpoints took (a timing: indicative only on a busy machine).
 */
public final class SqliteWriteBytesProbe {
    private static final int USERS = 10_000;
    private static final long T0 = 1_700_000_000_000L;
    private static final boolean RANDOM = Boolean.getBoolean("random");
    private static final java.util.Random USER_PICKS = new java.util.Random(42);
    private static final String DATA = "{\"text\":\"" + "x".repeat(89) + "\"}"; // 100 bytes

    public static void main(String[] args) throws Exception {
        int[] groups = args.length == 0 ? new int[] {1, 60, 370} : java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        for (int group : groups) {
            Path dir = Files.createTempDirectory("herald-bytes");
            Path file = dir.resolve("herald.db");
            MessageIds ids = new MessageIds();
            int[] next = {0};
            try (JdbcMessageStore store = JdbcMessageStore.sqlite(file, StoreLimits.defaults(), options())) {
                for (int i = 0; i < USERS / 500; i++) {
                    append(store, ids, next, 500);
                }
            }
            int messages = Integer.getInteger("messages", group == 1 ? 2_000 : 100_000);
            long before = writeBytes();
            long start = System.nanoTime();
            SqliteCheckpointer checkpoints;
            try (JdbcMessageStore store = JdbcMessageStore.sqlite(file, StoreLimits.defaults(), options(), policy())) {
                long rate = Long.getLong("rate", 0);
                for (int sent = 0; sent < messages; sent += group) {
                    if (rate > 0) { // open loop: each call at its time, as requests arriving at that rate would be
                        long due = start + sent * 1_000_000_000L / rate;
                        for (long wait; (wait = due - System.nanoTime()) > 0; ) {
                            java.util.concurrent.locks.LockSupport.parkNanos(wait);
                        }
                    }
                    append(store, ids, next, group);
                }
                checkpoints = store.checkpointer();
            }
            long bytes = writeBytes() - before;
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("page %5d%s group %5d: %,d messages, %,.0f bytes/msg to the disk (%.1f s); checkpoints: %d passive,"
                            + " %d by the writer, %,d frames copied by the writer in %.1f ms (longest %.1f ms)%n", options().sqlitePageSize(),
                    RANDOM ? " random" : "", group, messages, (double) bytes / messages, seconds, checkpoints.passiveCheckpoints(),
                    checkpoints.restarts(), checkpoints.writerCopiedFrames(), checkpoints.writerCheckpointNanos() / 1e6,
                    checkpoints.longestWriterCheckpointNanos() / 1e6);
            if (Boolean.getBoolean("keep")) {
                System.out.println("kept " + file);
                continue;
            }
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    private static JdbcStoreOptions options() {
        return JdbcStoreOptions.defaults().withSqlitePageSize(Integer.getInteger("pageSize", JdbcStoreOptions.DEFAULT_SQLITE_PAGE_SIZE));
    }

    private static SqliteCheckpointer.Policy policy() {
        SqliteCheckpointer.Policy defaults = SqliteCheckpointer.Policy.defaults();
        long interval = Long.getLong("interval", defaults.interval().toMillis());
        long restartBytes = Long.getLong("restartMiB", defaults.restartBytes() >> 20) << 20;
        return new SqliteCheckpointer.Policy(java.time.Duration.ofMillis(interval), restartBytes, defaults.limitBytes());
    }

    private static void append(JdbcMessageStore store, MessageIds ids, int[] next, int n) {
        List<StoredMessage> batch = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            // the fill gives every user an entry in round robin either way
            int k = next[0]++;
            String user = "user-" + (RANDOM && k >= USERS ? USER_PICKS.nextInt(USERS) : k % USERS);
            batch.add(new StoredMessage(ids.next(T0), T0, T0 + TimeUnit.DAYS.toMillis(1), DATA, List.of(user), List.of(), false, null));
        }
        store.append(batch).orTimeout(60, TimeUnit.SECONDS).join();
    }

    private static long writeBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
            if (line.startsWith("write_bytes: ")) {
                return Long.parseLong(line.substring("write_bytes: ".length()).trim());
            }
        }
        throw new IOException("no write_bytes in /proc/self/io");
    }
}
