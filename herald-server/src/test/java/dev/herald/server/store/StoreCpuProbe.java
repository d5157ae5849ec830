package dev.herald.server.store;

import dev.herald.core.message.MessageIds;
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
 * Not a test: the CPU a durable store spends per message, for groups of a fixed size. Appends 100-byte messages,
 * each to the next of 10,000 users, without an idempotency key as the bench's publishes ({@code -Dkeys=true}: with one), in calls of
 * {@code group} messages one after the other, and reports the writer thread's CPU time (ThreadMXBean) per message
 * and, for PostgreSQL, the CPU of all of the machine's {@code postgres} processes (utime + stime from /proc) per
 * message, and the WAL PostgreSQL wrote per message ({@code pg_current_wal_insert_lsn()}: cluster-wide, so exact only
 * on a PostgreSQL cluster nothing else writes to). With {@code -Dpostmaster=<pid>} (the first line of the cluster's
 * {@code postmaster.pid}) only that cluster's processes are counted, and the backends serving the store (every
 * connection to the probe's database, found in {@code pg_stat_activity}) are reported apart: exact enough on a
 * busy machine, where other clusters run. CPU time, not wall time: stable enough on a shared machine to compare
 * two versions of the SQL.
 *
 * <pre>
 * java -cp herald-server/target/herald.jar:herald-server/target/test-classes dev.herald.server.store.StoreCpuProbe sqlite|postgresql://postgres@127.0.0.1:5432/test?currentSchema=cpu_probe [group] [messages]
 * </pre>
 */
public final class StoreCpuProbe {
    private static final int USERS = 10_000;
    private static final long T0 = 1_700_000_000_000L;
    private static final boolean KEYS = Boolean.getBoolean("keys");
    private static final long POSTMASTER = Long.getLong("postmaster", 0);
    private static final String DATA = "{\"text\":\"" + "x".repeat(89) + "\"}"; // 100 bytes

    public static void main(String[] args) throws Exception {
        String target = args.length > 0 ? args[0] : "sqlite";
        int group = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int messages = args.length > 2 ? Integer.parseInt(args[2]) : 50_000;
        Path dir = Files.createTempDirectory("herald-cpu");
        boolean sqlite = target.equals("sqlite");
        MessageIds ids = new MessageIds();
        int[] next = {0};
        try (JdbcMessageStore store = sqlite ? JdbcMessageStore.sqlite(dir.resolve("herald.db"), StoreLimits.defaults(), JdbcStoreOptions.defaults())
                : JdbcMessageStore.postgres(target, StoreLimits.defaults(), JdbcStoreOptions.defaults())) {
            for (int i = 0; i < 2 * USERS / 500; i++) { // fill: every user has entries, indexes at steady depth; warms the JIT
                append(store, ids, next, 500);
            }
            for (int round = 0; round < 3; round++) {
                long writer = writerCpu(store);
                long pg = sqlite ? 0 : postgresCpuTicks();
                List<Long> backends = sqlite || POSTMASTER == 0 ? List.of() : storeBackends(target);
                long backend = cpuTicksOf(backends);
                String walBefore = sqlite ? null : walPosition(target);
                for (int sent = 0; sent < messages; sent += group) {
                    append(store, ids, next, group);
                }
                double writerUs = (writerCpu(store) - writer) / 1e3 / messages;
                String pgPart = sqlite ? "" : String.format(", postgres processes %.1f µs/msg, WAL %.0f B/msg",
                        (postgresCpuTicks() - pg) * 1e6 / 100.0 / messages, walBytesSince(target, walBefore) / messages);
                if (!backends.isEmpty()) {
                    pgPart += String.format(", store backends %.1f µs/msg", (cpuTicksOf(backends) - backend) * 1e6 / 100.0 / messages);
                }
                System.out.printf("%s group %d: writer thread %.1f µs/msg%s%n", sqlite ? "sqlite" : "postgresql", group, writerUs, pgPart);
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

    private static void append(JdbcMessageStore store, MessageIds ids, int[] next, int n) {
        List<StoredMessage> batch = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int k = next[0]++;
            String id = ids.next(T0);
            batch.add(new StoredMessage(id, T0, T0 + TimeUnit.DAYS.toMillis(1), DATA, List.of("user-" + k % USERS), List.of(), false,
                    KEYS ? "key-" + id : null, List.of(), KEYS ? "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" : null));
        }
        store.append(batch).orTimeout(60, TimeUnit.SECONDS).join();
    }

    private static long writerCpu(JdbcMessageStore store) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (var info : mx.dumpAllThreads(false, false)) {
            if (info.getThreadName().endsWith("-writer")) {
                return mx.getThreadCpuTime(info.getThreadId());
            }
        }
        throw new IllegalStateException("no writer thread");
    }

    /** The server's current WAL insert position (cluster-wide: exact per message only on a cluster of its own). */
    private static String walPosition(String target) throws Exception {
        return walQuery(target, "SELECT pg_current_wal_insert_lsn()::text", null);
    }

    private static double walBytesSince(String target, String before) throws Exception {
        return Double.parseDouble(walQuery(target, "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), ?::pg_lsn)", before));
    }

    private static String walQuery(String target, String sql, String arg) throws Exception {
        PostgresUrl url = PostgresUrl.parse(target);
        try (var c = java.sql.DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
             var s = c.prepareStatement(sql)) {
            if (arg != null) {
                s.setString(1, arg);
            }
            try (var rs = s.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /** The pids of the backends connected to the probe's database (the store's, since the probe's own close at once). */
    private static List<Long> storeBackends(String target) throws Exception {
        PostgresUrl url = PostgresUrl.parse(target);
        List<Long> pids = new ArrayList<>();
        try (var c = java.sql.DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
             var s = c.prepareStatement("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
             var rs = s.executeQuery()) {
            while (rs.next()) {
                pids.add(rs.getLong(1));
            }
        }
        return pids;
    }

    private static long cpuTicksOf(List<Long> pids) {
        long ticks = 0;
        for (long pid : pids) {
            String[] f = statFields(Path.of("/proc", Long.toString(pid)));
            ticks += f == null ? 0 : Long.parseLong(f[12]) + Long.parseLong(f[13]);
        }
        return ticks;
    }

    /**
     * utime + stime of every process named postgres (with {@code -Dpostmaster}: of that postmaster and its children
     * only), in clock ticks (USER_HZ, 100 here). A backend that exited meanwhile is not counted.
     */
    private static long postgresCpuTicks() throws Exception {
        long ticks = 0;
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                String[] f = statFields(p);
                if (f == null || !f[0].startsWith("postgres")) {
                    continue;
                }
                long pid = Long.parseLong(p.getFileName().toString());
                if (POSTMASTER != 0 && pid != POSTMASTER && Long.parseLong(f[2]) != POSTMASTER) {
                    continue;
                }
                ticks += Long.parseLong(f[12]) + Long.parseLong(f[13]);
            }
        }
        return ticks;
    }

    /** /proc/<pid>/stat: [0] the command name, then field k of proc(5) at [k - 2] (ppid [2], utime [12], stime [13]); {@code null} if gone. */
    private static String[] statFields(Path proc) {
        try {
            String stat = Files.readString(proc.resolve("stat"));
            int close = stat.lastIndexOf(')');
            String[] rest = stat.substring(close + 2).split(" ");
            String[] f = new String[rest.length + 1];
            f[0] = stat.substring(stat.indexOf('(') + 1, close);
            System.arraycopy(rest, 0, f, 1, rest.length);
            return f;
        } catch (java.io.IOException gone) {
            return null;
        }
    }
}
