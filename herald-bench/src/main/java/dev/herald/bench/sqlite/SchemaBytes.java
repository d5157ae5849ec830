package dev.herald.bench.sqlite;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Exact bytes one durable message costs SQLite with the store's schema at a given migration version: the
 * migrations V1..V{version} from herald-server's resources, then the statements WriteTransaction issues per group
 * (the streams upsert, then the messages, stream entries and recipients inserts as JDBC batches), in transactions of
 * {@code group} messages of 100 bytes, each to one of 10,000 users, one thread, WAL, synchronous=FULL, 64 MiB page
 * cache. Prints the bytes handed to write() (wchar) and sent to the block layer (write_bytes) per message, from
 * /proc/self/io, over 160,000 messages after 40,000 of warm-up ({@code -Dmessages=} for another total). Byte counts are exact and repeatable on a noisy
 * machine; the time per message is printed for orientation only.
 *
 * <p>Users: {@code rr} names them in round robin (a group's users are neighbours in key order, as in SqliteVariants
 * and StoreThroughputProbe), {@code random} at random (seeded), which spreads a group over the per-stream indexes
 * as independent publishers would. Extra arguments are SQL run after the migrations (e.g. {@code "DROP INDEX x"}),
 * to see what one index costs.
 *
 * <pre>
 * java -cp herald-bench/target/herald-bench.jar dev.herald.bench.sqlite.SchemaBytes VERSION GROUP AUTOCHECKPOINT rr|random [SQL…]
 * </pre>
 * Run from the repository root.
 */
public final class SchemaBytes {
    private static final int USERS = 10_000;
    private static final int TOTAL = Integer.getInteger("messages", 200_000);
    private static final int WARM_UP = TOTAL / 5;
    private static final long TTL = 86_400_000L;

    private SchemaBytes() { }

    public static void main(String[] args) throws Exception {
        int version = Integer.parseInt(args[0]);
        int group = Integer.parseInt(args[1]);
        int autocheckpoint = Integer.parseInt(args[2]);
        boolean random = args[3].equals("random");
        List<String> extra = List.of(args).subList(4, args.length);
        Path dir = Files.createTempDirectory("herald-schema-bytes");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("h.db"))) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA cache_size=-65536");
                s.execute("PRAGMA wal_autocheckpoint=" + autocheckpoint);
                for (String sql : migrations(version)) {
                    s.execute(sql);
                }
                for (String sql : extra) {
                    s.execute(sql);
                }
            }
            c.setAutoCommit(false);
            double[] perMessage = run(c, group, random);
            System.out.printf(Locale.ROOT, "V%d group %d autocheckpoint %d %s %s: wchar %.0f B/msg, write_bytes %.0f B/msg (%.1f us/msg, noisy)%n",
                    version, group, autocheckpoint, random ? "random" : "rr", extra, perMessage[0], perMessage[1], perMessage[2]);
        } finally {
            try (var w = Files.walk(dir)) {
                w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The statements of the migrations V1..V{version}, comments removed. */
    private static List<String> migrations(int version) throws Exception {
        List<String> statements = new ArrayList<>();
        try (var files = Files.list(Path.of("herald-server/src/main/resources/db/sqlite"))) {
            List<Path> sorted = files.filter(f -> {
                String n = f.getFileName().toString();
                return Integer.parseInt(n.substring(1, n.indexOf("__"))) <= version;
            }).sorted(Comparator.comparingInt(f -> {
                String n = f.getFileName().toString();
                return Integer.parseInt(n.substring(1, n.indexOf("__")));
            })).toList();
            for (Path f : sorted) {
                for (String sql : Files.readString(f).replaceAll("(?m)--.*$", "").split(";")) {
                    if (!sql.isBlank()) {
                        statements.add(sql.trim());
                    }
                }
            }
        }
        return statements;
    }

    /** wchar and write_bytes per message, and microseconds per message. */
    private static double[] run(Connection c, int group, boolean random) throws Exception {
        PreparedStatement messages = c.prepareStatement("INSERT INTO messages (id, ts, expires_at, data, users, topics, to_all, idempotency_key, "
                + "request_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING");
        PreparedStatement entries = c.prepareStatement("INSERT INTO stream_entries (stream, message_id, expires_at, position) VALUES (?, ?, ?, ?)");
        PreparedStatement recipients = c.prepareStatement("INSERT INTO recipients (message_id, user_id) VALUES (?, ?)");
        Map<Integer, PreparedStatement> upserts = new HashMap<>();
        Random rnd = new Random(42);
        String data = "{\"text\":\"" + "x".repeat(89) + "\"}"; // 100 bytes
        long ts = 1795450845268L;
        long[] before = null;
        long t0 = 0;
        for (int i = 0; i < TOTAL; i += group) {
            if (i == WARM_UP) {
                before = io();
                t0 = System.nanoTime();
            }
            String[] users = new String[group];
            TreeMap<String, Integer> countByStream = new TreeMap<>();
            for (int j = 0; j < group; j++) {
                users[j] = "user-" + (random ? rnd.nextInt(USERS) : (i + j) % USERS);
                countByStream.merge("u:" + users[j], 1, Integer::sum);
            }
            Map<String, Long> next = advance(c, upserts, countByStream);
            for (int j = 0; j < group; j++) {
                String id = String.format("01M84KB7WP%016d", i + j); // 26 characters in publish order, as a ULID
                long now = ts + (i + j) / 50;
                messages.setString(1, id);
                messages.setLong(2, now);
                messages.setLong(3, now + TTL);
                messages.setString(4, data);
                messages.setString(5, "[\"" + users[j] + "\"]");
                messages.setString(6, null);
                messages.setInt(7, 0);
                messages.setString(8, null);
                messages.setString(9, null);
                messages.addBatch();
                String stream = "u:" + users[j];
                entries.setString(1, stream);
                entries.setString(2, id);
                entries.setLong(3, now + TTL);
                entries.setLong(4, next.merge(stream, 1L, Long::sum) - 1);
                entries.addBatch();
                recipients.setString(1, id);
                recipients.setString(2, users[j]);
                recipients.addBatch();
            }
            messages.executeBatch();
            entries.executeBatch();
            recipients.executeBatch();
            c.commit();
        }
        long[] after = io();
        int n = TOTAL - WARM_UP;
        return new double[] {(double) (after[0] - before[0]) / n, (double) (after[1] - before[1]) / n, (System.nanoTime() - t0) / 1e3 / n};
    }

    /** The streams upsert of StreamHeads: each stream's first new position. */
    private static Map<String, Long> advance(Connection c, Map<Integer, PreparedStatement> upserts, TreeMap<String, Integer> countByStream)
            throws SQLException {
        PreparedStatement upsert = upserts.get(countByStream.size());
        if (upsert == null) {
            upsert = c.prepareStatement("INSERT INTO streams (stream, epoch, head) VALUES "
                    + String.join(", ", Collections.nCopies(countByStream.size(), "(?, ?, ?)"))
                    + " ON CONFLICT (stream) DO UPDATE SET head = streams.head + excluded.head RETURNING stream, epoch, head");
            upserts.put(countByStream.size(), upsert);
        }
        int p = 1;
        for (Map.Entry<String, Integer> e : countByStream.entrySet()) {
            upsert.setString(p++, e.getKey());
            upsert.setString(p++, "0a1b2c3d");
            upsert.setLong(p++, e.getValue());
        }
        Map<String, Long> first = new HashMap<>();
        try (ResultSet rs = upsert.executeQuery()) {
            while (rs.next()) {
                first.put(rs.getString(1), rs.getLong(3) - countByStream.get(rs.getString(1)) + 1);
            }
        }
        return first;
    }

    private static long[] io() throws Exception {
        long wchar = 0;
        long writeBytes = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
            if (line.startsWith("wchar: ")) {
                wchar = Long.parseLong(line.substring(7).trim());
            }
            if (line.startsWith("write_bytes: ")) {
                writeBytes = Long.parseLong(line.substring(13).trim());
            }
        }
        return new long[] {wchar, writeBytes};
    }
}
