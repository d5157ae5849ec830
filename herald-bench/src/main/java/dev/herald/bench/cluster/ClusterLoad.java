package dev.herald.bench.cluster;

import dev.herald.bench.ProcCpu;
import dev.herald.bench.peers.LoadGenerator;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The cluster benchmark of issue 15 (bench/run-cluster): cross-node delivery latency and what a message costs the
 * broker, against N running Herald nodes that share PostgreSQL and Redis.
 *
 * <p>{@code --clients} WebSocket clients log in on <em>each</em> node (seed frame {@code {"uid":"n<k>u<i>"}}, k the
 * node's index), so every user lives on one known node. Then, per mode of {@code --modes}:
 * <ul>
 *   <li><b>latency</b> (open loop at {@code --rate} msg/s, intended-time based as in the peers' generator): every
 *       publish goes to node 0 ({@code POST /api/v1/messages}, one user); they alternate between a user on node 0 (<em>same</em>-node, the
 *       baseline) and a user on node 1 (<em>cross</em>-node: through Redis). Latency is receipt − intended time, in
 *       two HdrHistograms, one per kind. With one node, every message is same-node.</li>
 *   <li>{@code volatile} sets {@code "persist":false} (broker only); {@code durable} is stored in PostgreSQL first.</li>
 * </ul>
 * With 3 or more nodes, nodes 2… hold clients that no latency window targets: their CPU per message is what receiving
 * an envelope costs a node with no recipient for it ({@code idle_node_cpu_us_per_msg}), the term that grows with the
 * number of nodes while every node subscribes to every channel.
 *
 * <p>Then <b>saturation</b> ({@code --saturation} requests in flight, closed loop, {@code persist=false}): publishes go
 * to the nodes in turn, each to a random user of any node, so with 2 nodes about half cross.
 *
 * <p>Every window also records the cost: CPU of each node, of redis-server and of every {@code postgres} process
 * (utime + stime deltas from /proc), and Redis's calls from {@code INFO commandstats}, each divided by the messages
 * acknowledged in the window; with {@code --pg-url}, also PostgreSQL's WAL bytes, rows written and commits per
 * message ({@link PgStats}). One CSV row per window and kind ({@code --out}).
 *
 * <p>Everything runs on one Vert.x event loop; the main thread only sequences the phases.
 */
public final class ClusterLoad {
    private static final int MESSAGE_BYTES = 100;
    private static final int MAX_BACKLOG = 10_000;
    private static final long EPOCH = System.nanoTime() - 1;
    private static final ProcCpu CPU = new ProcCpu();
    private static final int SAME = 0;
    private static final int CROSS = 1;

    private final Map<String, String> opts;
    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
            .setBlockedThreadCheckInterval(60_000));
    private final Context ctx = vertx.getOrCreateContext();
    private final List<String[]> nodes = new ArrayList<>();   // {host, port}
    private final long[] nodePids;
    private final RedisStats redis;
    private final long redisPid;
    private final PgStats pg;
    private final List<HttpClient> http = new ArrayList<>();
    private final List<WebSocket> sockets = new ArrayList<>();
    private int[][] users;   // per node: the indexes i of the users n<k>u<i> logged in there

    // Per tag (the phase, first character of a message, base 36) and kind (second character): receipts and latency (µs).
    private final long[][] received = new long[36][2];
    private final Histogram[][] latency = new Histogram[36][2];
    private long disconnects;

    // The running phase; event loop only.
    private int tag;
    private boolean persist;
    private double rate;
    private int inFlightTarget;
    private int inFlight;
    private long phaseStart;
    private long phaseSent;
    private long sent;
    private long ok;
    private long errors;
    private boolean running;
    private long timerId = -1;

    private ClusterLoad(Map<String, String> opts) throws IOException {
        this.opts = opts;
        for (String hp : opts.get("nodes").split(",")) {
            int colon = hp.lastIndexOf(':');
            nodes.add(new String[] {hp.substring(0, colon), hp.substring(colon + 1)});
        }
        nodePids = Arrays.stream(opts.get("node-pids").split(",")).mapToLong(Long::parseLong).toArray();
        if (nodePids.length != nodes.size()) {
            throw new IllegalArgumentException("--node-pids needs one pid per node of --nodes");
        }
        redis = new RedisStats(opts.getOrDefault("redis", "127.0.0.1:6379"));
        redisPid = redis.pid();
        pg = new PgStats(opts.get("pg-url"));
        for (int t = 0; t < latency.length; t++) {
            for (int k = 0; k < 2; k++) {
                latency[t][k] = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value pairs, got " + args[i]);
            }
            opts.put(args[i].substring(2), args[i + 1]);
        }
        if (!opts.containsKey("nodes") || !opts.containsKey("node-pids") || !opts.containsKey("out")) {
            System.err.println("""
                    usage: java -cp herald-bench.jar dev.herald.bench.cluster.ClusterLoad --nodes 127.0.0.1:8181,127.0.0.1:8182
                      --node-pids P1,P2 --out results.csv [--redis 127.0.0.1:6379] [--run 1]
                      [--pg-url postgresql://postgres@127.0.0.1:5432/herald_cluster_bench (WAL, rows, commits via psql)]
                      [--clients 1000 (per node)] [--modes volatile,durable] [--rate 5000] [--saturation 128 (0: skip)]
                      [--warmup 5] [--ramp 2] [--window 10]""");
            System.exit(2);
        }
        ClusterLoad g = new ClusterLoad(opts);
        try {
            g.run();
        } finally {
            g.vertx.close().await();
        }
        System.exit(0);
    }

    private void run() throws Exception {
        int clients = intOpt("clients", "1000");
        int warmup = intOpt("warmup", "5");
        int ramp = intOpt("ramp", "2");
        int window = intOpt("window", "10");
        double r = Double.parseDouble(opts.getOrDefault("rate", "5000"));
        int saturation = intOpt("saturation", "128");
        for (String[] n : nodes) {
            http.add(vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setDefaultHost(n[0])
                    .setDefaultPort(Integer.parseInt(n[1])), new PoolOptions().setHttp1MaxSize(Math.max(64, saturation))));
        }
        connect(clients);
        Thread.sleep(1000);   // let the logins land (and, in a cluster, presence reach Redis) before publishing
        int nextTag = 1;
        for (String mode : opts.getOrDefault("modes", "volatile,durable").split(",")) {
            if (mode.isBlank() || r <= 0) {
                continue;
            }
            boolean p = switch (mode.trim()) {
                case "volatile" -> false;
                case "durable" -> true;
                default -> throw new IllegalArgumentException("unknown mode " + mode + " (volatile, durable)");
            };
            onLoop(() -> persist = p);
            if (warmup > 0) {
                phase(0, r, 0, warmup);
            }
            phase(0, r, 0, ramp);
            measured(mode.trim(), nextTag++, r, 0, window);
        }
        if (saturation > 0) {
            onLoop(() -> persist = false);
            phase(0, 0, saturation, Math.max(ramp, warmup));
            measured("volatile", nextTag, 0, saturation, window);
        }
        for (WebSocket ws : sockets) {
            ws.close();
        }
    }

    private int intOpt(String name, String dflt) {
        return Integer.parseInt(opts.getOrDefault(name, dflt));
    }

    // ---- connections --------------------------------------------------------------------------------------------

    private void connect(int perNode) throws Exception {
        WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setMaxConnections(perNode * nodes.size() + 1).setConnectTimeout(30_000));
        int total = perNode * nodes.size();
        List<List<Integer>> up = new ArrayList<>();
        for (int k = 0; k < nodes.size(); k++) {
            up.add(new ArrayList<>());
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        int[] next = {0};
        int[] finished = {0};
        long[] failures = {0};
        Runnable[] start = new Runnable[1];
        start[0] = () -> {
            if (next[0] >= total) {
                return;
            }
            int j = next[0]++;
            int k = j % nodes.size();
            int i = j / nodes.size();
            String[] n = nodes.get(k);
            client.connect(new WebSocketConnectOptions().setHost(n[0]).setPort(Integer.parseInt(n[1])).setURI("/ws"))
                    .onComplete(ar -> {
                        if (ar.succeeded()) {
                            WebSocket ws = ar.result();
                            ws.textMessageHandler(this::onMessage);
                            ws.exceptionHandler(e -> { });
                            ws.closeHandler(v -> disconnects++);
                            ws.writeTextMessage("{\"uid\":\"n" + k + "u" + i + "\"}");
                            sockets.add(ws);
                            up.get(k).add(i);
                        } else if (failures[0]++ < 3) {
                            System.err.println("connect to node " + k + " failed: " + ar.cause());
                        }
                        if (++finished[0] == total) {
                            done.complete(null);
                        } else {
                            start[0].run();
                        }
                    });
        };
        ctx.runOnContext(v -> {
            for (int x = 0; x < 200; x++) {
                start[0].run();
            }
        });
        done.get(300, TimeUnit.SECONDS);
        users = onLoop(() -> up.stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new));
        for (int k = 0; k < users.length; k++) {
            if (users[k].length == 0) {
                throw new IllegalStateException("no client came up on node " + k);
            }
        }
        System.err.println("connected: " + Arrays.stream(users).mapToInt(u -> u.length).sum() + " of " + total
                + " (" + failures[0] + " failed)");
    }

    private void onMessage(String s) {
        long now = System.nanoTime();
        if (s.length() < 21) {
            return;
        }
        int t = Character.digit(s.charAt(0), 36);
        int kind = s.charAt(1) == 'c' ? CROSS : SAME;
        long intended;
        try {
            intended = EPOCH + Long.parseLong(s, 2, 21, 10);
        } catch (NumberFormatException e) {
            return;
        }
        if (t < 0) {
            return;
        }
        received[t][kind]++;
        Histogram h = latency[t][kind];
        h.recordValue(Math.min(h.getHighestTrackableValue(), Math.max(0, (now - intended) / 1000)));
    }

    // ---- publishing ---------------------------------------------------------------------------------------------

    private void measured(String mode, int t, double r, int concurrency, int seconds) throws Exception {
        double[] node0 = Arrays.stream(nodePids).mapToDouble(CPU::seconds).toArray();
        double redis0 = CPU.seconds(redisPid);
        Map<Long, Long> pg0 = postgresTicks();
        PgStats.Reading pgWrites0 = pg.read();
        double gen0 = CPU.seconds(ProcessHandle.current().pid());
        Map<String, Long> calls0 = redis.commandCalls();
        long w0 = System.nanoTime();
        long[] counts = phase(t, r, concurrency, seconds);
        double elapsed = (System.nanoTime() - w0) / 1e9;
        long[][] inWindow = onLoop(() -> new long[][] {received[t].clone()});
        double[] nodeCpu = new double[nodePids.length];
        for (int k = 0; k < nodePids.length; k++) {
            nodeCpu[k] = CPU.seconds(nodePids[k]) - node0[k];
        }
        double redisCpu = CPU.seconds(redisPid) - redis0;
        double pgCpu = ticksSince(pg0, postgresTicks()) / CPU.ticksPerSecond();
        double genCpu = CPU.seconds(ProcessHandle.current().pid()) - gen0;
        Map<String, Long> calls1 = redis.commandCalls();
        Thread.sleep(1500);   // drain: late deliveries still count in the latency histograms
        // read after the drain: a backend flushes its row and commit counts at most once a second
        PgStats.Reading pgWrites1 = pg.read();
        boolean pgKnown = pgWrites0.known() && pgWrites1.known();
        long[] recv = new long[2];
        Histogram[] h = onLoop(() -> {
            recv[0] = received[t][SAME];
            recv[1] = received[t][CROSS];
            return new Histogram[] {latency[t][SAME].copy(), latency[t][CROSS].copy()};
        });
        long messages = counts[1];
        long redisCalls = RedisStats.totalDelta(calls0, calls1);
        long publishes = calls1.getOrDefault("publish", 0L) - calls0.getOrDefault("publish", 0L);
        double nodeSum = Arrays.stream(nodeCpu).sum();
        double genPct = 100 * genCpu / elapsed;
        // An open-loop window whose generator sent under 97 % of its schedule (its event loop starved on a busy
        // machine) did not offer the rate it names.
        boolean onSchedule = r <= 0 || counts[0] >= 0.97 * r * seconds;
        String load = r > 0 ? String.valueOf((long) r) : "sat" + concurrency;
        List<Integer> kinds = r > 0 && nodes.size() > 1 ? List.of(SAME, CROSS) : List.of(-1);
        for (int kind : kinds) {
            Histogram hist = kind < 0 ? merged(h) : h[kind];
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("nodes", nodes.size());
            row.put("run", opts.getOrDefault("run", "1"));
            row.put("mode", mode);
            row.put("load", load);
            row.put("kind", kind < 0 ? (nodes.size() > 1 ? "all" : "same") : kind == SAME ? "same" : "cross");
            row.put("window_s", fmt(elapsed, 2));
            row.put("sent", counts[0]);
            row.put("ok", counts[1]);
            row.put("errors", counts[2]);
            row.put("msgs_per_s", fmt(messages / elapsed, 1));
            row.put("received", kind < 0 ? recv[0] + recv[1] : recv[kind]);
            long inW = kind < 0 ? inWindow[0][0] + inWindow[0][1] : inWindow[0][kind];
            row.put("deliveries_per_s", fmt(inW / elapsed, 1));
            row.put("p50_ms", fmt(hist.getValueAtPercentile(50) / 1000.0, 3));
            row.put("p99_ms", fmt(hist.getValueAtPercentile(99) / 1000.0, 3));
            row.put("p999_ms", fmt(hist.getValueAtPercentile(99.9) / 1000.0, 3));
            row.put("max_ms", fmt(hist.getMaxValue() / 1000.0, 3));
            row.put("node_cpu_pct", String.join(";", Arrays.stream(nodeCpu).mapToObj(c -> fmt(100 * c / elapsed, 1)).toList()));
            row.put("node_cpu_us_per_msg", perMessage(nodeSum * 1e6, messages));
            // At a fixed rate no message targets node 2 and beyond: their CPU is the cost of receiving every envelope
            // from Redis and finding no local recipient, which every node pays for every message of the cluster.
            row.put("idle_node_cpu_us_per_msg", r > 0 && nodeCpu.length > 2
                    ? perMessage(Arrays.stream(nodeCpu, 2, nodeCpu.length).average().orElse(0) * 1e6, messages) : "");
            row.put("redis_cpu_pct", fmt(100 * redisCpu / elapsed, 1));
            row.put("redis_cpu_us_per_msg", perMessage(redisCpu * 1e6, messages));
            row.put("redis_cmds_per_msg", perMessage(redisCalls, messages));
            row.put("redis_publish_per_msg", perMessage(publishes, messages));
            row.put("pg_cpu_pct", fmt(100 * pgCpu / elapsed, 1));
            row.put("pg_cpu_us_per_msg", perMessage(pgCpu * 1e6, messages));
            row.put("pg_wal_bytes_per_msg", pgKnown ? perMessage(pgWrites1.walBytes() - pgWrites0.walBytes(), messages) : "");
            row.put("pg_rows_per_msg", pgKnown ? perMessage(pgWrites1.rowsWritten() - pgWrites0.rowsWritten(), messages) : "");
            row.put("pg_commits_per_msg", pgKnown ? perMessage(pgWrites1.commits() - pgWrites0.commits(), messages) : "");
            row.put("gen_cpu_pct", fmt(genPct, 1));
            row.put("disconnects", onLoop(() -> disconnects));
            row.put("valid", counts[2] == 0 && genPct <= 85 && (kind < 0 ? recv[0] + recv[1] : recv[kind]) > 0
                    && onSchedule);
            emit(row);
        }
    }

    /** CPU ticks of each live {@code postgres} process (the postmaster, its backends and background workers). */
    private static Map<Long, Long> postgresTicks() {
        Map<Long, Long> all = ProcCpu.userProcessTicks();
        all.keySet().removeIf(pid -> !"postgres".equals(ProcCpu.comm(pid)));
        return all;
    }

    /**
     * Ticks used between two readings, per process: a process that started in between counts in full, one that
     * exited in between is lost (a backend of another client closing must not make the sum negative).
     */
    static long ticksSince(Map<Long, Long> before, Map<Long, Long> after) {
        long d = 0;
        for (Map.Entry<Long, Long> e : after.entrySet()) {
            d += Math.max(0, e.getValue() - before.getOrDefault(e.getKey(), 0L));
        }
        return d;
    }

    private static Histogram merged(Histogram[] h) {
        Histogram m = h[0].copy();
        m.add(h[1]);
        return m;
    }

    private static String perMessage(double total, long messages) {
        return messages == 0 ? "" : fmt(total / messages, 2);
    }

    /** Runs one phase to its end on the event loop; returns {sent, 2xx, errors}. */
    private long[] phase(int t, double r, int concurrency, int seconds) throws Exception {
        onLoop(() -> {
            tag = t;
            rate = r;
            inFlightTarget = concurrency;
            phaseStart = System.nanoTime();
            phaseSent = 0;
            sent = ok = errors = 0;
            running = true;
            if (r > 0) {
                timerId = vertx.setPeriodic(1, id -> tick());
            } else {
                while (inFlight < inFlightTarget) {
                    publish(System.nanoTime(), phaseSent++);
                }
            }
            return null;
        });
        Thread.sleep(seconds * 1000L);
        onLoop(() -> {
            running = false;
            if (timerId >= 0) {
                vertx.cancelTimer(timerId);
                timerId = -1;
            }
            return null;
        });
        // Wait for this phase's answers so they are not counted in the next one.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (onLoop(() -> inFlight) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return onLoop(() -> new long[] {sent, ok, errors});
    }

    private void tick() {
        if (!running) {
            return;
        }
        long elapsedMillis = (System.nanoTime() - phaseStart) / 1_000_000;
        long due = (long) (elapsedMillis * rate / 1e3) + 1;
        while (phaseSent < due) {
            if (inFlight >= MAX_BACKLOG) {
                sent++;     // the cluster is this far behind: counted as failed (the window is invalid), not queued
                errors++;
            } else {
                publish(phaseStart + LoadGenerator.intendedOffset(phaseSent, rate), phaseSent);
            }
            phaseSent++;
        }
    }

    /**
     * Publish number {@code i} of the phase. At a fixed rate: through node 0, to node 0's users (even i) and node 1's
     * (odd i). Closed loop: through the nodes in turn, to a random user of a random node.
     */
    private void publish(long intended, long i) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        int via;
        int target;
        if (rate > 0) {
            via = 0;
            target = nodes.size() > 1 && i % 2 == 1 ? 1 : 0;
        } else {
            via = (int) (i % nodes.size());
            target = rnd.nextInt(nodes.size());
        }
        int[] there = users[target];
        int uid = there[rnd.nextInt(there.length)];
        StringBuilder m = new StringBuilder(MESSAGE_BYTES);
        m.append(Character.forDigit(tag, 36)).append(target == via ? 's' : 'c');
        String ts = Long.toString(intended - EPOCH);
        m.append("0".repeat(19 - ts.length())).append(ts).append('-');
        while (m.length() < MESSAGE_BYTES) {
            m.append('x');
        }
        // Herald's JSON API, not the seed's /send: /send answers 404 user_offline to a persist=false message for a
        // user with no connection on the answering node, even when Redis carries it to the user's node.
        String body = "{\"to\":{\"users\":[\"n" + target + "u" + uid + "\"]},\"data\":\"" + m + "\""
                + (persist ? "" : ",\"persist\":false") + "}";
        sent++;
        inFlight++;
        int phaseTag = tag;
        http.get(via).request(HttpMethod.POST, "/api/v1/messages")
                .compose(req -> req.putHeader("content-type", "application/json").send(body))
                .compose(resp -> resp.body().map(b -> resp.statusCode() / 100 == 2 ? ""
                        : "HTTP " + resp.statusCode() + " " + b.toString().substring(0, Math.min(200, b.length()))))
                .onComplete(ar -> {
                    inFlight--;
                    if (phaseTag == tag) {
                        if (ar.succeeded() && ar.result().isEmpty()) {
                            ok++;
                        } else {
                            if (errors < 3) {
                                System.err.println("publish failed: " + (ar.succeeded() ? ar.result() : ar.cause()));
                            }
                            errors++;
                        }
                    }
                    if (running && rate == 0 && inFlight < inFlightTarget) {
                        publish(System.nanoTime(), phaseSent++);
                    }
                });
    }

    // ---- plumbing -----------------------------------------------------------------------------------------------

    private <T> T onLoop(Callable<T> c) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        ctx.runOnContext(v -> {
            try {
                f.complete(c.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        return f.get(60, TimeUnit.SECONDS);
    }

    static final List<String> COLUMNS = List.of("nodes", "run", "mode", "load", "kind", "window_s", "sent", "ok",
            "errors", "msgs_per_s", "received", "deliveries_per_s", "p50_ms", "p99_ms", "p999_ms", "max_ms",
            "node_cpu_pct", "node_cpu_us_per_msg", "idle_node_cpu_us_per_msg", "redis_cpu_pct", "redis_cpu_us_per_msg", "redis_cmds_per_msg",
            "redis_publish_per_msg", "pg_cpu_pct", "pg_cpu_us_per_msg", "pg_wal_bytes_per_msg", "pg_rows_per_msg",
            "pg_commits_per_msg", "gen_cpu_pct", "disconnects", "valid");

    private void emit(Map<String, Object> row) throws IOException {
        Path out = Path.of(opts.get("out"));
        StringBuilder line = new StringBuilder();
        if (!Files.exists(out)) {
            line.append(String.join(",", COLUMNS)).append('\n');
        }
        for (int i = 0; i < COLUMNS.size(); i++) {
            line.append(i == 0 ? "" : ",").append(row.getOrDefault(COLUMNS.get(i), ""));
        }
        Files.writeString(out, line.append('\n'), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        System.out.println(row);
    }

    private static String fmt(double d, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", d);
    }
}
