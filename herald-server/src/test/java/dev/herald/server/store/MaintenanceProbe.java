package dev.herald.server.store;

import dev.herald.core.message.MessageIds;
import dev.herald.core.store.Maintenance;
import dev.herald.core.store.StoreLimits;
import dev.herald.core.store.StoredMessage;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Not a test: what a maintenance pass costs the SQLite writer once messages start expiring. Fills {@code users} inboxes
 * with {@code perUser} messages that expire at T0 + 1 s, then as many that live an hour, and runs passes as of T0 + 1 s
 * until one expires nothing: prints, per pass, what it expired and the writer thread's CPU time for it. Then passes
 * with nothing due. CPU time is indicative on a busy machine; the counts are exact.
 *
 * <pre>
 * java -cp herald-server/target/herald.jar:herald-server/target/test-classes dev.herald.server.store.MaintenanceProbe [users] [perUser]
 * </pre>
 */
public final class MaintenanceProbe {
    private static final long T0 = 1_700_000_000_000L;

    public static void main(String[] args) throws Exception {
        int users = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int perUser = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path dir = Files.createTempDirectory("herald-maint");
        MessageIds ids = new MessageIds();
        try (JdbcMessageStore store = JdbcMessageStore.sqlite(dir.resolve("herald.db"), StoreLimits.defaults(), JdbcStoreOptions.defaults())) {
            for (long expiresAt : new long[] {T0 + 1_000, T0 + TimeUnit.HOURS.toMillis(1)}) {
                for (int round = 0; round < perUser; round++) {
                    List<StoredMessage> batch = new ArrayList<>();
                    for (int u = 0; u < users; u++) {
                        batch.add(new StoredMessage(ids.next(T0), T0, expiresAt, "{\"n\":1}", List.of("user-" + u), List.of(), false, null));
                        if (batch.size() == 500) {
                            store.append(batch).orTimeout(60, TimeUnit.SECONDS).join();
                            batch = new ArrayList<>();
                        }
                    }
                    if (!batch.isEmpty()) {
                        store.append(batch).orTimeout(60, TimeUnit.SECONDS).join();
                    }
                }
            }
            store.maintain(T0).orTimeout(600, TimeUnit.SECONDS).join(); // the first pass after a start counts every stream
            long total = 0;
            for (int pass = 1; pass <= 50; pass++) {
                long cpu = writerCpu();
                Maintenance m = store.maintain(T0 + 1_000).orTimeout(600, TimeUnit.SECONDS).join();
                double ms = (writerCpu() - cpu) / 1e6;
                total += m.expired();
                System.out.printf("pass %d: expired %,d (total %,d), writer %.1f ms CPU%n", pass, m.expired(), total, ms);
                if (m.expired() == 0) {
                    break;
                }
            }
            for (int i = 0; i < 3; i++) {
                long cpu = writerCpu();
                store.maintain(T0 + 1_000).orTimeout(600, TimeUnit.SECONDS).join();
                System.out.printf("idle pass: writer %.1f ms CPU%n", (writerCpu() - cpu) / 1e6);
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    private static long writerCpu() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (var info : mx.dumpAllThreads(false, false)) {
            if (info.getThreadName().endsWith("-writer")) {
                return mx.getThreadCpuTime(info.getThreadId());
            }
        }
        throw new IllegalStateException("no writer thread");
    }
}
