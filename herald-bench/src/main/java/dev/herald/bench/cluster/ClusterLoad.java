package dev.herald.bench.cluster;

import dev.herald.bench.ProcCpu;
import dev.herald.bench.peers.LoadGenerator;
import dev.herald.bench.peers.ProcStats;
import dev.herald.bench.peers.SeedLogins;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
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
    private SeedLogins logins;
    private int[][] users;   // per node: the indexes i of the users n<k>u<i> logged in there
    /** How much each node's RSS grew per connection it took, on average over the nodes (the JVM's heap included). */
    private double rssKbPerConnection;
    /** Redis commands per login (presence HSET, the cap's reads), over the login phase. */
    private double redisCallsPerLogin;
    private final java.net.http.HttpClient metricsClient = java.net.http.HttpClient.newHttpClient();

    // Per tag (the phase, first character of a message, base 36) and kind (second character): receipts and latency (µs).
    private final long[][] received = new long[36][2];
    private final Histogram[][] latency = new Histogram[36][2];

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
        long[] rss0 = Arrays.stream(nodePids).map(pid -> ProcStats.rssKb(String.valueOf(pid))).toArray();
        Map<String, Long> loginCalls0 = redis.commandCalls();
        connect(clients);
        Thread.sleep(1000);   // let the logins land (and, in a cluster, presence reach Redis) before publishing
        // the heartbeats of that time count too: a few commands per node and heartbeat, small against the logins
        redisCallsPerLogin = (double) RedisStats.totalDelta(loginCalls0, redis.commandCalls())
                / Arrays.stream(users).mapToInt(u -> u.length).sum();
        double growth = 0;
        for (int k = 0; k < nodePids.length; k++) {
            growth += (double) (ProcStats.rssKb(String.valueOf(nodePids[k])) - rss0[k]) / users[k].length;
        }
        rssKbPerConnection = growth / nodePids.length;
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
        onLoop(() -> {
            logins.closeAll();
            return null;
        });
    }

    private int intOpt(String name, String dflt) {
        return Integer.parseInt(opts.getOrDefault(name, dflt));
    }

    // ---- connections --------------------------------------------------------------------------------------------

    private void connect(int perNode) throws Exception {
        logins = new SeedLogins(vertx, ctx, perNode * nodes.size(), 0, this::onMessage);
        List<SeedLogins.Login> all = new ArrayList<>();
        for (int j = 0; j < perNode * nodes.size(); j++) {   // node by node in turn, so every node fills up together
            String[] n = nodes.get(j % nodes.size());
            all.add(new SeedLogins.Login(n[0], Integer.parseInt(n[1]), "n" + (j % nodes.size()) + "u" + j / nodes.size()));
        }
        List<List<Integer>> up = new ArrayList<>();
        for (int k = 0; k < nodes.size(); k++) {
            up.add(new ArrayList<>());
        }
        for (int j : logins.connect(all, 200, 300)) {
            up.get(j % nodes.size()).add(j / nodes.size());
        }
        users = up.stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new);
        for (int k = 0; k < users.length; k++) {
            if (users[k].length == 0) {
                throw new IllegalStateException("no client came up on node " + k);
            }
        }
        System.err.println("connected: " + Arrays.stream(users).mapToInt(u -> u.length).sum() + " of " + all.size()
                + " (" + onLoop(() -> logins.failures()) + " failed)");
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
        long out0 = redis.netOutputBytes();
        long envelopes0 = envelopesReceived();
        long disconnects0 = onLoop(() -> logins.disconnects());
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
        long out1 = redis.netOutputBytes();
        long envelopes1 = envelopesReceived();
        long disconnected = onLoop(() -> logins.disconnects()) - disconnects0;
        double rssMb = Arrays.stream(nodePids).mapToDouble(pid -> ProcStats.rssKb(String.valueOf(pid)) / 1024.0).average().orElse(0);
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
            row.put("clients", opts.getOrDefault("clients", "1000"));
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
            row.put("redis_cmds_per_s", fmt(redisCalls / elapsed, 1));
            row.put("redis_out_bytes_per_msg", out0 >= 0 && out1 >= 0 ? perMessage(out1 - out0, messages) : "");
            // envelopes the nodes took from Redis that another node published (Redis also sends each back to its
            // publisher, which drops it: Redis's own pub/sub deliveries are PUBLISH × nodes)
            row.put("pubsub_received_per_msg", envelopes0 >= 0 && envelopes1 >= 0 ? perMessage(envelopes1 - envelopes0, messages) : "");
            row.put("pg_cpu_pct", fmt(100 * pgCpu / elapsed, 1));
            row.put("pg_cpu_us_per_msg", perMessage(pgCpu * 1e6, messages));
            row.put("pg_wal_bytes_per_msg", pgKnown ? perMessage(pgWrites1.walBytes() - pgWrites0.walBytes(), messages) : "");
            row.put("pg_rows_per_msg", pgKnown ? perMessage(pgWrites1.rowsWritten() - pgWrites0.rowsWritten(), messages) : "");
            row.put("pg_commits_per_msg", pgKnown ? perMessage(pgWrites1.commits() - pgWrites0.commits(), messages) : "");
            row.put("pg_commits_per_s", pgKnown ? fmt((pgWrites1.commits() - pgWrites0.commits()) / elapsed, 1) : "");
            row.put("pg_rows_per_s", pgKnown ? fmt((pgWrites1.rowsWritten() - pgWrites0.rowsWritten()) / elapsed, 1) : "");
            row.put("rss_kb_per_conn", fmt(rssKbPerConnection, 2));
            row.put("redis_cmds_per_login", fmt(redisCallsPerLogin, 2));
            row.put("node_rss_mb", fmt(rssMb, 1));
            row.put("gen_cpu_pct", fmt(genPct, 1));
            row.put("disconnects", disconnected);
            // a connection lost in the window takes its deliveries with it: the figures no longer describe the load
            row.put("valid", counts[2] == 0 && genPct <= 85 && (kind < 0 ? recv[0] + recv[1] : recv[kind]) > 0
                    && onSchedule && disconnected == 0);
            emit(row);
        }
    }

    /**
     * Envelopes the nodes received from the others since they started ({@code herald_broker_envelopes_total
     * {outcome="received"}} of every node's {@code /metrics}, summed); -1 when a node did not answer.
     */
    private long envelopesReceived() {
        long sum = 0;
        for (String[] n : nodes) {
            try {
                String body = metricsClient.send(java.net.http.HttpRequest.newBuilder(
                                java.net.URI.create("http://" + n[0] + ":" + n[1] + "/metrics")).timeout(java.time.Duration.ofSeconds(5)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                long v = brokerReceived(body);
                if (v < 0) {
                    return -1;
                }
                sum += v;
            } catch (IOException e) {
                return -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
        return sum;
    }

    /** The value of {@code herald_broker_envelopes_total{outcome="received"}} in a Prometheus text page; -1 when absent. */
    static long brokerReceived(String metrics) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith("herald_broker_envelopes_total{") && line.contains("outcome=\"received\"")) {
                return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return -1;
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

    static final List<String> COLUMNS = List.of("nodes", "clients", "run", "mode", "load", "kind", "window_s", "sent", "ok",
            "errors", "msgs_per_s", "received", "deliveries_per_s", "p50_ms", "p99_ms", "p999_ms", "max_ms",
            "node_cpu_pct", "node_cpu_us_per_msg", "idle_node_cpu_us_per_msg", "redis_cpu_pct", "redis_cpu_us_per_msg", "redis_cmds_per_msg",
            "redis_publish_per_msg", "redis_cmds_per_s", "redis_out_bytes_per_msg", "pubsub_received_per_msg", "pg_cpu_pct", "pg_cpu_us_per_msg", "pg_wal_bytes_per_msg", "pg_rows_per_msg",
            "pg_commits_per_msg", "pg_commits_per_s", "pg_rows_per_s", "rss_kb_per_conn", "redis_cmds_per_login", "node_rss_mb", "gen_cpu_pct", "disconnects", "valid");

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
