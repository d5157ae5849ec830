package dev.herald.server.store;

import dev.herald.core.message.MessageIds;
import dev.herald.core.store.MessageStore;
import dev.herald.core.store.StoreLimits;
import dev.herald.core.store.StoredMessage;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Not a test: a throughput probe for the durable stores. Keeps {@code callers} appends in flight (as that many
 * concurrent publish requests would), each one message of 100 bytes to one of 10,000 users, and reports
 * accepted messages per second and the accept latency (call to completed future) percentiles.
 *
 * <pre>
 * java -cp ... dev.herald.server.store.StoreThroughputProbe sqlite|sqlite-normal|postgresql://postgres@127.0.0.1:5432/test [callers] [messages]
 * </pre>
 */
public final class StoreThroughputProbe {
    private static final int USERS = Integer.getInteger("users", 10_000);
    public static void main(String[] args) throws Exception {
        String target = args.length > 0 ? args[0] : "sqlite";
        int callers = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        int messages = args.length > 2 ? Integer.parseInt(args[2]) : 500_000;
        Path dir = Files.createTempDirectory("herald-probe");
        JdbcStoreOptions options = JdbcStoreOptions.defaults();
        StoreLimits limits = StoreLimits.defaults();
        JdbcMessageStore store = switch (target) {
            case "sqlite" -> JdbcMessageStore.sqlite(dir.resolve("herald.db"), limits, options);
            case "sqlite-normal" -> JdbcMessageStore.sqlite(dir.resolve("herald.db"), limits, options.withSqliteSync(SqliteSync.NORMAL));
            default -> JdbcMessageStore.postgres(target, limits, options);
        };
        try (store) {
            System.out.println("store: " + store.describe() + ", callers in flight: " + callers);
            run(store, callers, Math.max(messages / 5, 10_000), "warm-up");
            run(store, callers, messages, "measured");
        }
    }

    private static void run(JdbcMessageStore store, int callers, int messages, String label) throws InterruptedException {
        MessageIds ids = new MessageIds();
        String data = "{\"text\":\"" + "x".repeat(89) + "\"}"; // 100 bytes
        long[] latencies = new long[messages];
        Semaphore inFlight = new Semaphore(callers);
        CountDownLatch done = new CountDownLatch(messages);
        AtomicInteger failures = new AtomicInteger();
        AtomicLong lastDone = new AtomicLong();
        long commitsBefore = store.commits();
        long processCpuBefore = processCpu();
        long writtenBefore = bytesWritten();
        long writerCpuBefore = threadCpu(store.name() + "-writer");
        long start = System.nanoTime();
        for (int i = 0; i < messages; i++) {
            inFlight.acquire();
            long now = System.currentTimeMillis();
            StoredMessage m = new StoredMessage(ids.next(now), now, now + 3_600_000, data, List.of("user-" + (i % USERS)),
                    List.of(), false, null);
            int n = i;
            long t0 = System.nanoTime();
            store.append(List.of(m)).whenComplete((r, e) -> {
                long t1 = System.nanoTime();
                latencies[n] = t1 - t0;
                lastDone.set(t1);
                if (e != null) {
                    failures.incrementAndGet();
                }
                inFlight.release();
                done.countDown();
            });
        }
        done.await();
        double seconds = (lastDone.get() - start) / 1e9;
        Arrays.sort(latencies);
        long commits = store.commits() - commitsBefore;
        double processCpu = (processCpu() - processCpuBefore) / 1e9;
        double writerCpu = (threadCpu(store.name() + "-writer") - writerCpuBefore) / 1e9;
        long written = bytesWritten() - writtenBefore;
        System.out.printf("%s: %,d messages in %.2f s = %,.0f msg/s; %,d transactions (%.0f msg each); "
                        + "latency p50 %.2f ms, p99 %.2f ms, max %.2f ms; failures %d; "
                        + "CPU: process %.2f s (%.1f us/msg), writer thread %.2f s (%.1f us/msg); written to files %.0f B/msg; "
                        + "load average %.1f%n",
                label, messages, seconds, messages / seconds, commits, (double) messages / Math.max(1, commits),
                latencies[messages / 2] / 1e6, latencies[(int) (messages * 0.99)] / 1e6, latencies[messages - 1] / 1e6,
                failures.get(), processCpu, processCpu * 1e6 / messages, writerCpu, writerCpu * 1e6 / messages,
                (double) written / messages,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    /** Bytes this process handed to the file system (Linux {@code /proc/self/io}; 0 elsewhere). */
    private static long bytesWritten() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
                if (line.startsWith("wchar:")) {
                    return Long.parseLong(line.substring(6).trim());
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux
        }
        return 0;
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long threadCpu(String name) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(name)) {
                return threads.getThreadCpuTime(t.threadId());
            }
        }
        return 0;
    }
}
