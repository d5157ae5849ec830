package dev.herald.bench.peers;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Load generator for the peer comparison of issue 5 (bench/PEERS.md): any server that speaks the seed protocol —
 * WebSocket {@code /ws}, a first frame {@code {"uid":"…"}}, raw text bodies after; {@code GET /send?uid=&message=};
 * {@code GET /broadcast?message=} (or Herald's own API) for the broadcast scenario.
 *
 * <p>One run against one server process: connect N clients as distinct uids (spread over source addresses
 * 127.0.0.2… when asked, since one address reaches one port ~28,000 times), record the server's RSS before and
 * after (idle memory per connection), then for each scenario of {@code --scenarios} (see {@link Workload}):
 * {@code personal} (one message per request), {@code broadcast} (one message to every connection),
 * {@code batch} (Herald's batch API), a warm-up, one measured window per fixed rate and one at saturation.
 * Each window appends one tab-separated row to {@code --out}.
 *
 * <p><b>Open loop, no coordinated omission.</b> At a fixed rate the i-th publish has the intended time
 * {@code start + i/rate} rounded up to the millisecond (the timer's resolution, see {@link #tick}); the 100-byte
 * message carries it, and latency is receipt minus <em>intended</em> time, so a stalled server, a late timer or a
 * queue in the HTTP pool is charged in full. The saturation window is closed loop
 * (a fixed number of requests in flight) and measures throughput; its latencies are from the actual send.
 *
 * <p>Everything runs on one Vert.x event loop (the generator is pinned to one core); the main thread only
 * sequences the phases. Not a library: the fields are confined to the event loop.
 */
public final class LoadGenerator {
    private static final int MESSAGE_BYTES = 100;
    /** Open loop: publishes waiting for an answer beyond which further ones are counted as failed, not sent. */
    private static final int MAX_BACKLOG = 10_000;
    private static final long EPOCH = System.nanoTime() - 1;

    private final Map<String, String> opts;
    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
            .setBlockedThreadCheckInterval(60_000));
    private final Context ctx = vertx.getOrCreateContext();
    private final String host;
    private final int port;
    private final String serverPid;
    private final String sendPath;
    private final int serverCore;
    private HttpClient http;

    private SeedLogins logins;
    private int[] connectedUids = new int[0];
    private long connectFailures;

    // Per tag (0 = ramp/warm-up, not reported; 1.. = measured windows): counters and histograms (µs).
    // The tag is the first character of every message, in base 36.
    private final long[] received = new long[36];
    private final Histogram[] latency = new Histogram[36];
    private long strayFrames;

    // The running phase; touched on the event loop only.
    private int tag;
    private Workload workload;
    private int messagesPerRequest = 1; // batch: the rate is in messages/s, requests go out at rate / this
    private double rate;          // > 0: open loop at this rate (messages/s); 0: closed loop
    private int inFlightTarget;   // closed loop
    private int inFlight;
    private long phaseStart;
    private long phaseSent;
    private long sent;
    private long ok;
    private long errors;
    private long backlogSkips;
    private boolean running;
    private long timerId = -1;

    private LoadGenerator(Map<String, String> opts) {
        this.opts = opts;
        this.host = opts.getOrDefault("host", "127.0.0.1");
        this.port = Integer.parseInt(opts.getOrDefault("port", "8181"));
        this.serverPid = opts.get("server-pid");
        this.sendPath = opts.getOrDefault("send-path", "/send");
        this.serverCore = Integer.parseInt(opts.getOrDefault("server-core", "0"));
        for (int i = 0; i < latency.length; i++) {
            latency[i] = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
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
        if (!opts.containsKey("server-pid") || !opts.containsKey("out")) {
            System.err.println("""
                    usage: java -cp herald-bench.jar dev.herald.bench.peers.LoadGenerator --server-pid PID --out results.tsv [--port 8181]
                      [--label herald] [--run 1] [--connections 10000] [--source-ips 0] [--send-path /send]
                      [--send-query &persist=false] [--warmup 5] [--ramp 2] [--window 8] [--server-core 0]
                      [--scenarios personal,broadcast,batch (none: idle memory only)]
                      personal:  [--rates 5000,20000 (messages/s)] [--saturation 128 (requests in flight; 0 = skip)]
                      broadcast: [--broadcast-rates 5 (broadcasts/s)] [--broadcast-saturation 4] [--broadcast-api seed|herald]
                      batch:     [--batch-rates 20000,120000 (messages/s)] [--batch-size 100] [--batch-saturation 16]
                      (batch and --broadcast-api herald speak Herald's HTTP API: POST /api/v1/messages[/batch])""");
            System.exit(2);
        }
        LoadGenerator g = new LoadGenerator(opts);
        try {
            g.run();
        } finally {
            g.vertx.close().await();
        }
        System.exit(0);
    }

    private void run() throws Exception {
        int n = Integer.parseInt(opts.getOrDefault("connections", "10000"));
        int warmup = Integer.parseInt(opts.getOrDefault("warmup", "5"));
        int ramp = Integer.parseInt(opts.getOrDefault("ramp", "2"));
        int window = Integer.parseInt(opts.getOrDefault("window", "8"));
        List<String> scenarios = Arrays.stream(opts.getOrDefault("scenarios", "personal").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        int maxInFlight = Math.max(intOpt("saturation", "128"),
                Math.max(intOpt("broadcast-saturation", "4"), intOpt("batch-saturation", "16")));

        http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setDefaultHost(host).setDefaultPort(port),
                new PoolOptions().setHttp1MaxSize(Math.max(64, maxInFlight)));

        long rssBase = ProcStats.rssKb(serverPid);
        long t0 = System.nanoTime();
        connect(n, Integer.parseInt(opts.getOrDefault("source-ips", "0")));
        double connectSeconds = (System.nanoTime() - t0) / 1e9;
        Thread.sleep(3000);   // let logins land and the server settle before reading its memory
        long rssConnected = ProcStats.rssKb(serverPid);
        int connected = connectedUids.length;
        Map<String, Object> idle = row("idle", 0, 0);
        idle.put("connections", connected);
        idle.put("connect_failures", connectFailures);
        idle.put("connect_s", fmt(connectSeconds));
        idle.put("rss_base_kb", rssBase);
        idle.put("rss_connected_kb", rssConnected);
        idle.put("bytes_per_conn", connected == 0 ? "" : String.valueOf((rssConnected - rssBase) * 1024 / connected));
        idle.put("valid", connected == n && connectFailures == 0);
        emit(idle);
        if (connected == 0) {
            throw new IllegalStateException("no connection came up");
        }

        int nextTag = 1;
        for (String scenario : scenarios) {
            String prefix = scenario.equals("personal") ? "" : scenario + "-";
            double[] rates = Arrays.stream(opts.getOrDefault(prefix + "rates", switch (scenario) {
                        case "broadcast" -> "5";
                        case "batch" -> "20000,120000";
                        default -> "5000,20000";
                    }).split(",")).filter(s -> !s.isBlank()).mapToDouble(Double::parseDouble).toArray();
            int saturation = intOpt(prefix + "saturation", switch (scenario) {
                case "broadcast" -> "4";
                case "batch" -> "16";
                default -> "128";
            });
            Workload w = workload(scenario);
            int perRequest = scenario.equals("batch") ? intOpt("batch-size", "100") : 1;
            onLoop(() -> {
                workload = w;
                messagesPerRequest = perRequest;
                return null;
            });
            if (warmup > 0 && rates.length > 0) {
                phase(0, rates[0], 0, warmup);
            }
            for (double r : rates) {
                phase(0, r, 0, ramp);
                measured(scenario, nextTag++, r, 0, window);
            }
            if (saturation > 0) {
                phase(0, 0, saturation, ramp);
                measured(scenario, nextTag++, 0, saturation, window);
            }
        }
        onLoop(() -> {
            logins.closeAll();
            return null;
        });
    }

    private Workload workload(String scenario) {
        return switch (scenario) {
            case "personal" -> Workload.personal(sendPath, opts.getOrDefault("send-query", ""), connectedUids);
            case "broadcast" -> "herald".equals(opts.getOrDefault("broadcast-api", "seed"))
                    ? Workload.heraldBroadcast(opts.getOrDefault("broadcast-path", "/api/v1/messages"))
                    : Workload.seedBroadcast(opts.getOrDefault("broadcast-path", "/broadcast"));
            case "batch" -> Workload.heraldBatch(opts.getOrDefault("batch-path", "/api/v1/messages/batch"),
                    intOpt("batch-size", "100"), connectedUids);
            default -> throw new IllegalArgumentException("unknown scenario " + scenario + " (personal, broadcast, batch)");
        };
    }

    private int intOpt(String name, String dflt) {
        return Integer.parseInt(opts.getOrDefault(name, dflt));
    }

    // ---- connections --------------------------------------------------------------------------------------------

    private void connect(int n, int sourceIps) throws Exception {
        logins = new SeedLogins(vertx, ctx, n, sourceIps, this::onMessage);
        List<SeedLogins.Login> all = new ArrayList<>(n);
        for (int uid = 0; uid < n; uid++) {
            all.add(new SeedLogins.Login(host, port, "u" + uid));
        }
        List<Integer> up = logins.connect(all, Integer.parseInt(opts.getOrDefault("connect-parallel", "200")), 300);
        connectedUids = up.stream().mapToInt(Integer::intValue).toArray();
        connectFailures = onLoop(() -> logins.failures());
    }

    private void onMessage(String s) {
        long now = System.nanoTime();
        if (s.length() < 20) {
            strayFrames++;
            return;
        }
        int t = Character.digit(s.charAt(0), 36);
        long intended;
        try {
            intended = EPOCH + Long.parseLong(s, 1, 20, 10);
        } catch (NumberFormatException e) {
            strayFrames++;
            return;
        }
        if (t < 0 || t >= received.length) {
            strayFrames++;
            return;
        }
        received[t]++;
        latency[t].recordValue(Math.min(latency[t].getHighestTrackableValue(), Math.max(0, (now - intended) / 1000)));
    }

    // ---- publishing ---------------------------------------------------------------------------------------------

    private void measured(String name, int t, double r, int concurrency, int seconds) throws Exception {
        double cpuGen0 = ProcStats.cpuSeconds("self");
        double cpuSrv0 = ProcStats.cpuSeconds(serverPid);
        double core0 = ProcStats.coreBusySeconds(serverCore);
        long w0 = System.nanoTime();
        long[] counts = phase(t, r, concurrency, seconds);
        double elapsed = (System.nanoTime() - w0) / 1e9;
        long[] inWindow = onLoop(() -> new long[] {received[t], logins.disconnects()});
        double cpuSrv = ProcStats.cpuSeconds(serverPid) - cpuSrv0;
        double cpuGen = ProcStats.cpuSeconds("self") - cpuGen0;
        // What else ran on the server's core: other benchmarks on a shared machine steal it and inflate latency.
        double others = Math.max(0, ProcStats.coreBusySeconds(serverCore) - core0 - cpuSrv);
        Thread.sleep(1500);   // drain: late deliveries still count (and their latency shows it)
        long[] recv = new long[1];
        Histogram h = onLoop(() -> {
            recv[0] = received[t];
            return latency[t].copy();
        });
        // Throughput and CPU over the same span (the window and its answers); receipts in the drain after it only
        // add to the latency histogram, so a server that queues a backlog does not get its later work for free.
        double deliveries = inWindow[0] / elapsed;
        double genPct = 100 * cpuGen / elapsed;
        Map<String, Object> row = row(name, r, concurrency);
        row.put("window_s", fmt(elapsed));
        row.put("sent", counts[0]);
        row.put("ok", counts[1]);
        row.put("errors", counts[2]);
        row.put("backlog_skips", counts[3]);
        row.put("per_request", perRequest(name));
        row.put("received", recv[0]);
        row.put("received_in_window", inWindow[0]);
        row.put("disconnects", inWindow[1]);
        row.put("deliveries_per_s", fmt(deliveries));
        row.put("p50_ms", fmt3(h.getValueAtPercentile(50) / 1000.0));
        row.put("p99_ms", fmt3(h.getValueAtPercentile(99) / 1000.0));
        row.put("p999_ms", fmt3(h.getValueAtPercentile(99.9) / 1000.0));
        row.put("max_ms", fmt3(h.getMaxValue() / 1000.0));
        row.put("server_cpu_s", fmt(cpuSrv));
        row.put("deliveries_per_cpu_s", cpuSrv > 0 ? fmt(inWindow[0] / cpuSrv) : "");
        row.put("server_cpu_pct", fmt(100 * cpuSrv / elapsed));
        row.put("gen_cpu_pct", fmt(genPct));
        row.put("server_core_others_pct", fmt(100 * others / elapsed));
        row.put("rss_kb", ProcStats.rssKb(serverPid));
        row.put("valid", counts[2] == 0 && genPct <= 85 && recv[0] > 0);
        emit(row);
    }

    /** Messages per request (batch) or recipients per message (broadcast). */
    private String perRequest(String scenario) {
        return switch (scenario) {
            case "broadcast" -> String.valueOf(connectedUids.length);
            case "batch" -> opts.getOrDefault("batch-size", "100");
            default -> "1";
        };
    }

    /** Runs one phase to its end on the event loop; returns {sent, 2xx, errors, not sent for backlog}. */
    private long[] phase(int t, double r, int concurrency, int seconds) throws Exception {
        onLoop(() -> {
            tag = t;
            rate = r;
            inFlightTarget = concurrency;
            phaseStart = System.nanoTime();
            phaseSent = 0;
            sent = ok = errors = backlogSkips = 0;
            running = true;
            if (r > 0) {
                timerId = vertx.setPeriodic(1, id -> tick());
            } else {
                while (inFlight < inFlightTarget) {
                    publish(System.nanoTime());
                }
            }
            return null;
        });
        Thread.sleep(seconds * 1000L);
        long[] counts = onLoop(() -> {
            running = false;
            if (timerId >= 0) {
                vertx.cancelTimer(timerId);
                timerId = -1;
            }
            return new long[] {sent, ok, errors, backlogSkips};
        });
        // Wait for this phase's answers so they are not counted in the next one.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (onLoop(() -> inFlight) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        counts = onLoop(() -> new long[] {sent, ok, errors, backlogSkips});
        return counts;
    }

    private void tick() {
        if (!running) {
            return;
        }
        long now = System.nanoTime();
        double requestRate = rate / messagesPerRequest;
        // The schedule is in whole milliseconds, the timer's resolution: request i is due at the first millisecond
        // boundary at or after phaseStart + i / requestRate (20 requests per millisecond at 20,000/s), and that
        // boundary is its intended time. Intended times spread inside the millisecond charged every request with up
        // to 1 ms of the generator's own timer granularity (0.5 ms on average, more than the server's whole share of
        // a median at 5,000/s). A tick that fires late (a stall on either side) is still charged in full.
        long elapsedMillis = (now - phaseStart) / 1_000_000;
        long due = (long) (elapsedMillis * requestRate / 1e3) + 1;
        while (phaseSent < due) {
            if (inFlight >= MAX_BACKLOG) {
                // The server is this far behind: the publish counts as failed (the run is invalid) rather than
                // letting the generator's queue, and the drain after the window, grow without bound.
                sent += messagesPerRequest;
                errors += messagesPerRequest;
                backlogSkips += messagesPerRequest;
            } else {
                publish(phaseStart + intendedOffset(phaseSent, requestRate));
            }
            phaseSent++;
        }
    }

    /** Request i's intended time after the phase's start: i / rate, rounded up to the millisecond (see {@link #tick}). */
    public static long intendedOffset(long i, double requestRate) {
        long exact = (long) Math.ceil(i * 1e9 / requestRate);
        return (exact + 999_999) / 1_000_000 * 1_000_000;
    }

    private void publish(long intended) {
        StringBuilder m = new StringBuilder(MESSAGE_BYTES);
        m.append(Character.forDigit(tag, 36));
        String ts = Long.toString(intended - EPOCH);
        m.append("0".repeat(19 - ts.length())).append(ts).append('-');
        while (m.length() < MESSAGE_BYTES) {
            m.append('x');
        }
        Workload w = workload;
        Workload.Request request = w.request(m.toString());
        int n = request.messages();
        sent += n;
        inFlight++;
        int phaseTag = tag;
        http.request(request.method(), request.uri())
                .compose(req -> {
                    if (request.body() == null) {
                        return req.send();
                    }
                    req.putHeader("content-type", "application/json");
                    return req.send(request.body());
                })
                .compose(resp -> resp.body().map(b -> resp.statusCode() / 100 == 2 && !w.failed(b.toString())
                        ? "" : "HTTP " + resp.statusCode() + " " + b.toString().substring(0, Math.min(200, b.length()))))
                .onComplete(ar -> {
                    inFlight--;
                    if (phaseTag == tag) {
                        if (ar.succeeded() && ar.result().isEmpty()) {
                            ok += n;
                        } else {
                            if (errors < 3) {
                                System.err.println("publish failed: " + (ar.succeeded() ? ar.result() : ar.cause()));
                            }
                            errors += n;
                        }
                    }
                    if (running && rate == 0 && inFlight < inFlightTarget) {
                        publish(System.nanoTime());
                    }
                });
    }

    // ---- plumbing -----------------------------------------------------------------------------------------------

    private <T> T onLoop(java.util.concurrent.Callable<T> c) throws Exception {
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

    private Map<String, Object> row(String scenario, double r, int concurrency) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("label", opts.getOrDefault("label", "server"));
        row.put("run", opts.getOrDefault("run", "1"));
        row.put("scenario", scenario);
        row.put("rate", r > 0 ? String.valueOf((long) r) : concurrency > 0 ? "sat" + concurrency : "");
        return row;
    }

    private static final List<String> COLUMNS = List.of("label", "run", "scenario", "rate", "connections",
            "connect_failures", "connect_s", "rss_base_kb", "rss_connected_kb", "bytes_per_conn", "window_s", "sent", "ok",
            "errors", "backlog_skips", "per_request", "received", "received_in_window", "disconnects", "deliveries_per_s", "p50_ms", "p99_ms", "p999_ms", "max_ms", "server_cpu_s",
            "deliveries_per_cpu_s", "server_cpu_pct", "gen_cpu_pct", "server_core_others_pct", "rss_kb", "valid");

    private void emit(Map<String, Object> row) throws IOException {
        Path out = Path.of(opts.get("out"));
        StringBuilder line = new StringBuilder();
        if (!Files.exists(out)) {
            line.append(String.join("\t", COLUMNS)).append('\n');
        }
        for (int i = 0; i < COLUMNS.size(); i++) {
            line.append(i == 0 ? "" : "\t").append(row.getOrDefault(COLUMNS.get(i), ""));
        }
        line.append('\n');
        Files.writeString(out, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        PrintStream o = System.out;
        o.println(row);
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%.1f", d);
    }

    private static String fmt3(double d) {
        return String.format(Locale.ROOT, "%.3f", d);
    }
}
