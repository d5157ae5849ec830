package dev.herald.bench.sqlite;

import java.nio.file.*;
import java.sql.*;
import java.util.*;

/**
 * What one durable message costs SQLite, outside Herald: the store's three INSERTs (messages, stream_entries,
 * recipients, as WriteTransaction issues them) with the shipped schema, in transactions of 400 messages to users
 * u0..u9999 round robin (what the server's group commit sees under batch@max), one thread, WAL, synchronous=FULL,
 * 64 MiB page cache — and variants. Prints, per variant and for 3 repetitions, the wall time per message (CPU and
 * fsync) and the bytes the process sent to the block layer per message (/proc/self/io write_bytes).
 *
 * Run from the repository root (see bench/RESULTS.md):
 *   taskset -c 0 java -cp herald-bench/target/herald-bench.jar dev.herald.bench.sqlite.SqliteVariants
 */
public class SqliteVariants {
    static long[] io() throws Exception {
        long w = 0, d = 0;
        for (String l : Files.readAllLines(Path.of("/proc/self/io"))) {
            if (l.startsWith("wchar: ")) w = Long.parseLong(l.substring(7).trim());
            if (l.startsWith("write_bytes: ")) d = Long.parseLong(l.substring(13).trim());
        }
        return new long[] {w, d};
    }

    public static void main(String[] a) throws Exception {
        String schema = Files.readString(Path.of("herald-server/src/main/resources/db/sqlite/V1__messages.sql")).replaceAll("(?m)--.*$", "");
        int group = 400;
        Map<String, List<String>> variants = new LinkedHashMap<>();
        variants.put("shipped (page 4096, autocheckpoint 1000)", List.of());
        variants.put("wal_autocheckpoint=20000", List.of("PRAGMA wal_autocheckpoint=20000"));
        variants.put("page_size=1024", List.of("PRAGMA page_size=1024"));
        variants.put("page_size=1024 + autocheckpoint=40000", List.of("PRAGMA page_size=1024", "PRAGMA wal_autocheckpoint=40000"));
        variants.put("synchronous=NORMAL (not durable)", List.of("PRAGMA synchronous=NORMAL"));
        variants.put("synchronous=OFF (CPU only, not durable)", List.of("PRAGMA synchronous=OFF"));
        variants.put("without the 2 expires_at indexes", List.of("DROP INDEX messages_expires_at", "DROP INDEX stream_entries_expires_at"));
        String data = "x".repeat(100);
        Map<String, List<String>> results = new LinkedHashMap<>();
        for (int round = 0; round < 3; round++) {
            for (var v : variants.entrySet()) {
                Path dir = Files.createTempDirectory("herald-sqlite-variant"); // on the same disk as the data dir here
                Path db = dir.resolve("h.db");
                try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
                    try (Statement s = c.createStatement()) {
                        for (String p : v.getValue()) if (p.contains("page_size")) s.execute(p);
                        s.execute("PRAGMA journal_mode=WAL");
                        s.execute("PRAGMA synchronous=FULL");
                        s.execute("PRAGMA cache_size=-65536");
                        for (String p : v.getValue()) if (!p.contains("page_size") && !p.startsWith("DROP")) s.execute(p);
                        for (String stmt : schema.split(";")) { String sql = stmt.trim(); if (!sql.isEmpty()) s.execute(sql); }
                        for (String p : v.getValue()) if (p.startsWith("DROP")) s.execute(p);
                    }
                    c.setAutoCommit(false);
                    PreparedStatement m = c.prepareStatement("INSERT INTO messages (id, ts, expires_at, data, users, topics, to_all, idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING");
                    PreparedStatement e = c.prepareStatement("INSERT INTO stream_entries (stream, message_id, expires_at) VALUES (?, ?, ?)");
                    PreparedStatement r = c.prepareStatement("INSERT INTO recipients (message_id, user_id) VALUES (?, ?)");
                    int total = 200_000;
                    long n = 0, t0 = 0;
                    long[] io0 = null;
                    long ts = 1795450845268L;
                    for (int i = 0; i < total; i += group) {
                        if (i == 40_000) { t0 = System.nanoTime(); n = 0; io0 = io(); }
                        for (int j = i; j < i + group; j++) {
                            String id = String.format("01M84KB7WP%016d", j);
                            String user = "u" + (j % 10_000);
                            long now = ts + j / 50;
                            m.setString(1, id); m.setLong(2, now); m.setLong(3, now + 86_400_000L); m.setString(4, data);
                            m.setString(5, "[\"" + user + "\"]"); m.setString(6, null); m.setInt(7, 0); m.setString(8, null); m.addBatch();
                            e.setString(1, "u:" + user); e.setString(2, id); e.setLong(3, now + 86_400_000L); e.addBatch();
                            r.setString(1, id); r.setString(2, user); r.addBatch();
                        }
                        m.executeBatch(); e.executeBatch(); r.executeBatch();
                        c.commit();
                        n += group;
                    }
                    double us = (System.nanoTime() - t0) / 1e3 / n;
                    long[] io1 = io();
                    results.computeIfAbsent(v.getKey(), k -> new ArrayList<>()).add(String.format(Locale.ROOT, "%.1f us/msg %.0f B/msg", us, (double) (io1[1] - io0[1]) / n));
                }
                try (var w = Files.walk(dir)) { w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete()); }
            }
        }
        results.forEach((k, l) -> System.out.printf("%-45s %s%n", k, l));
    }
}
