package dev.herald.bench.soak;

import dev.herald.bench.Headlines;
import dev.herald.bench.ServerProcess;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The soak: one Herald server ({@code herald.jar}, SQLite store) under a steady mixed load for a long time (30
 * minutes by default), to show that nothing grows without bound and nothing acknowledged is lost. Not a throughput
 * benchmark and not part of CI; {@code bench/soak} runs it. See {@code bench/README.md}, "Soak".
 *
 * <p>Load, all from this process on one event loop: a {@link Population} of seed connections with churn (connects
 * and disconnects per second), open-loop publishes to random connected users (a share durable, the rest
 * {@code persist:false}), {@link SlowConsumers} that never read, kicks through {@code DELETE
 * /api/v1/users/{uid}/connections}, and the {@link Ledger}'s durable publishes to its own users. A {@link Sampler}
 * records the server's RSS, heap after GC, open fds and threads every few seconds; the end reports their slopes per
 * hour ({@link Trend}) and the ledger's counts, writes {@code summary.md}, appends one line to the "Soak" section of
 * {@code bench/RESULTS.md} and rows to {@code bench/results/headlines.csv}.
 */
@Command(name = "soak", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Long mixed load on one herald.jar: slopes of RSS, heap after GC, fds and threads; a ledger of acknowledged messages.")
public final class Soak implements Callable<Integer> {
    /** 16 KB: at the default rate a slow consumer's buffers and the server's 1 MiB send queue fill before its idle timeout (40 s) closes it. */
    private static final String SLOW_DATA = "\"" + "s".repeat(16_000) + "\"";
    private static final String DATA = "\"" + "x".repeat(100) + "\"";

    @Option(names = "--jar", description = "The server under test. Default: ${DEFAULT-VALUE}.")
    Path jar = Path.of("herald-server/target/herald.jar");
    @Option(names = "--java", description = "java for the server (its jcmd runs the GCs). Default: this JVM's.")
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    @Option(names = "--server-java-opts", description = "JVM options of the server. Default: ${DEFAULT-VALUE}.")
    String serverJavaOpts = "-Xms1g -Xmx1g -XX:+AlwaysPreTouch";
    @Option(names = "--server-cpus", description = "taskset CPU list of the server; empty: not pinned. Default: ${DEFAULT-VALUE}.")
    String serverCpus = "0";
    @Option(names = "--minutes", description = "Length of the load. Default: ${DEFAULT-VALUE}.")
    double minutes = 30;
    @Option(names = "--warmup-minutes", description = "Samples before this are left out of the slopes. Default: min(5, minutes / 5).")
    Double warmupMinutes;
    @Option(names = "--connections", description = "Seed connections held (users u0…). Default: ${DEFAULT-VALUE}.")
    int connections = 10_000;
    @Option(names = "--churn", description = "Connections closed and opened again per second. Default: ${DEFAULT-VALUE}.")
    double churn = 100;
    @Option(names = "--rate", description = "Publishes per second in all (population, ledger and slow consumers). Default: ${DEFAULT-VALUE}.")
    double rate = 5_000;
    @Option(names = "--durable-share", description = "Share of the population's publishes that are durable (the rest persist:false). Default: ${DEFAULT-VALUE}.")
    double durableShare = 0.5;
    @Option(names = "--ledger-users", description = "Users whose every acknowledged message is checked. Default: ${DEFAULT-VALUE}.")
    int ledgerUsers = 20;
    @Option(names = "--ledger-rate", description = "Durable publishes per second to the ledger users (part of --rate). Default: ${DEFAULT-VALUE}.")
    double ledgerRate = 100;
    @Option(names = "--ledger-kick-seconds", description = "Each ledger user is kicked about once per this many seconds. Default: ${DEFAULT-VALUE}.")
    double ledgerKickSeconds = 30;
    @Option(names = "--slow-consumers", description = "Connections that never read. Default: ${DEFAULT-VALUE}.")
    int slowConsumers = 5;
    @Option(names = "--slow-rate", description = "persist:false publishes per second of 16 KB to the slow consumers (part of --rate). Default: ${DEFAULT-VALUE}.")
    double slowRate = 100;
    @Option(names = "--kick-rate", description = "Population users kicked per second (DELETE …/connections). Default: ${DEFAULT-VALUE}.")
    double kickRate = 2;
    @Option(names = "--max-in-flight", description = "Publishes waiting for an answer beyond which due ones are skipped and counted. Default: ${DEFAULT-VALUE}.")
    int maxInFlight = 2_000;
    @Option(names = "--source-ips", description = "Spread connections over 127.0.0.2… (0: 127.0.0.1 only). Default: ${DEFAULT-VALUE}.")
    int sourceIps = 2;
    @Option(names = "--sample-seconds", description = "Sampling interval. Default: ${DEFAULT-VALUE}.")
    int sampleSeconds = 10;
    @Option(names = "--gc-seconds", description = "Heap after a full GC (jcmd GC.run) at most this often. Default: ${DEFAULT-VALUE}.")
    int gcSeconds = 60;
    @Option(names = "--out", description = "Results go to a new soak-<time> directory here. Default: ${DEFAULT-VALUE}.")
    Path out = Path.of("bench/results");
    @Option(names = "--results-md", description = "The write-up that gets one line in its \"Soak\" section (empty: none). Default: ${DEFAULT-VALUE}.")
    String resultsMd = "bench/RESULTS.md";
    @Option(names = "--headlines", description = "Headline rows go here (empty: none). Default: ${DEFAULT-VALUE}.")
    String headlines = Headlines.DEFAULT_FILE.toString();
    @Option(names = "--keep-data", description = "Keep the server's data directory (the SQLite file) after the run.")
    boolean keepData;

    private final Counters counters = new Counters();
    private final Random random = new Random(1);
    String commit;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Soak()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        String invalid = validate();
        if (invalid != null) {
            System.err.println("soak: " + invalid);
            return 2;
        }
        if (!Files.isRegularFile(jar)) {
            System.err.println("no server jar at " + jar + ": build it first (./mvnw -q -B -ntp -DskipTests package)");
            return 2;
        }
        commit = Headlines.commit(); // before this run writes RESULTS.md
        String started = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'"));
        Path dir = out.resolve("soak-" + started);
        List<String> jvm = new ArrayList<>(List.of(serverJavaOpts.trim().split("\\s+")));
        jvm.removeIf(String::isEmpty);
        jvm.add("-Xlog:gc:file=" + dir.resolve("gc.log") + ":uptime,level");
        log("results: " + dir);
        try (ServerProcess server = ServerProcess.start(java, jar, serverCpus, jvm, dir, "sqlite")) {
            log("server pid " + server.pid() + " on port " + server.port() + ": " + String.join(" ", server.command()));
            Run run = new Run(server, dir);
            int code = run.execute();
            if (!keepData) {
                server.close();
                deleteTree(dir.resolve("data"));
            }
            return code;
        }
    }

    String validate() {
        if (minutes <= 0 || connections < 1 || churn < 0 || rate <= 0 || ledgerUsers < 1 || ledgerRate < 0 || slowConsumers < 0
                || slowRate < 0 || kickRate < 0 || ledgerKickSeconds <= 0 || maxInFlight < 1 || sourceIps < 0 || sampleSeconds < 1 || gcSeconds < 1) {
            return "every count, rate and time must be positive (or zero where it switches a part off)";
        }
        if (durableShare < 0 || durableShare > 1) {
            return "--durable-share is a share between 0 and 1";
        }
        if (ledgerRate + (slowConsumers > 0 ? slowRate : 0) > rate) {
            return "--ledger-rate + --slow-rate must not exceed --rate (they are part of it)";
        }
        if (warmupMinutes != null && (warmupMinutes < 0 || warmupMinutes >= minutes)) {
            return "--warmup-minutes must be at least 0 and shorter than --minutes";
        }
        return null;
    }

    double warmupSeconds() {
        return 60 * (warmupMinutes != null ? warmupMinutes : Math.min(5, minutes / 5));
    }

    /** One soak against one server: connect, load, sample, check, report. */
    private final class Run {
        private final ServerProcess server;
        private final Path dir;
        private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
                .setBlockedThreadCheckInterval(60_000));
        private final Context loop = vertx.getOrCreateContext();
        private Population population;
        private SlowConsumers slow;
        private Ledger ledger;
        private Api api;
        private long loadStart;
        private long tickTimer;
        private double populationSent, slowSent, ledgerSent, churned, kicks, ledgerKicks;
        private int nextSlow;

        Run(ServerProcess server, Path dir) {
            this.server = server;
            this.dir = dir;
        }

        int execute() throws Exception {
            Path jcmd = java.resolveSibling("jcmd");
            String host = "127.0.0.1";
            int port = server.port();
            List<WebSocketClient> clients = new ArrayList<>();
            for (int a = 0; a < Math.max(1, sourceIps); a++) {
                WebSocketClientOptions o = new WebSocketClientOptions().setMaxConnections(connections + 1000)
                        .setMaxFrameSize(65536).setConnectTimeout(30_000);
                if (sourceIps > 0) {
                    o.setLocalAddress("127.0.0." + (2 + a));
                }
                clients.add(vertx.createWebSocketClient(o));
            }
            // the ledger and the slow consumers each have their own client: a paused socket the server closed keeps its slot
            // of maxConnections (the client cannot read the close), even for a while after our own close(); such sockets
            // must never hold a slot a ledger user needs to log in again, nor stop the slow consumers from being replaced
            WebSocketClient own = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(ledgerUsers + 10)
                    .setMaxFrameSize(65536).setConnectTimeout(30_000));
            WebSocketClient slowClient = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(1000)
                    .setMaxFrameSize(65536).setConnectTimeout(30_000));
            api = new Api(vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setDefaultHost(host).setDefaultPort(port),
                    new PoolOptions().setHttp1MaxSize(128)));
            population = new Population(vertx, clients, host, port, connections, counters);
            slow = new SlowConsumers(vertx, slowClient, host, port, slowConsumers, counters);
            ledger = new Ledger(vertx, own, api, host, port, ledgerUsers, counters);

            ScheduledExecutorService sampling = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "soak-sampler"));
            try (Sampler sampler = new Sampler(server.pid(), jcmd, dir.resolve("gc.log"), port, () -> onLoop(counters::snapshot), dir.resolve("soak.csv"))) {
                long[] lastGc = {System.nanoTime()};
                long samplingStart = System.nanoTime();
                boolean[] warmHistogram = {false};
                sampling.scheduleAtFixedRate(() -> {
                    try {
                        boolean gc = System.nanoTime() - lastGc[0] >= gcSeconds * 1_000_000_000L;
                        if (gc) {
                            lastGc[0] = System.nanoTime();
                        }
                        sampler.sample(gc);
                        if (!warmHistogram[0] && (System.nanoTime() - samplingStart) / 1e9 >= warmupSeconds()) {
                            warmHistogram[0] = true; // the live objects by class once warm; histogram-end.txt says what grew since
                            sampler.histogram(dir.resolve("histogram-warm.txt"));
                        }
                    } catch (Exception e) {
                        log("sample failed: " + e);
                    }
                }, 0, sampleSeconds, TimeUnit.SECONDS);

                long t0 = System.nanoTime();
                onLoopFuture(() -> population.connectAll(200).toCompletionStage().toCompletableFuture()).get(10, TimeUnit.MINUTES);
                log(String.format("%d of %d connected in %.1f s", onLoop(() -> counters.open), connections, (System.nanoTime() - t0) / 1e9));
                onLoop(() -> {
                    ledger.start();
                    slow.start();
                    loadStart = System.nanoTime();
                    tickTimer = vertx.setPeriodic(10, id -> tick());
                    return null;
                });
                long endAt = System.nanoTime() + (long) (minutes * 60e9);
                while (System.nanoTime() < endAt) {
                    long left = endAt - System.nanoTime();
                    TimeUnit.NANOSECONDS.sleep(Math.min(left, 60_000_000_000L)); // the load runs on its own: this only waits for the end
                    Map<String, Long> c = onLoop(counters::snapshot);
                    log(String.format("%.1f min: open %d, published %d (200 %d, 202 %d, not delivered %d, failed %d, skipped %d), kicks %d",
                            (System.nanoTime() - loadStart) / 60e9, c.get("gen_open"), c.get("published"), c.get("publish_200"),
                            c.get("publish_202"), c.get("publish_not_delivered"), c.get("publish_failed"), c.get("backlog_skips"), c.get("kicks")));
                }
                log("load done; waiting for the ledger's answers and replays");
                onLoop(() -> vertx.cancelTimer(tickTimer));
                // a saturated server may still be writing what it acknowledged: 10 s without a ledger frame (or every id in),
                // at most 3 minutes; then the inbox reads (a few requests per user)
                Ledger.Result ledgerResult = onLoopFuture(() -> ledger.finish(10_000, 180_000).toCompletionStage().toCompletableFuture())
                        .get(6, TimeUnit.MINUTES);
                Files.write(dir.resolve("ledger-events.csv"), onLoop(() -> prepend("ms,user,event,detail", ledger.events())));
                Files.write(dir.resolve("ledger-missing.csv"), onLoop(() -> prepend("user,id,id_ms", ledger.missingLines())));
                sampling.shutdown();
                sampling.awaitTermination(2, TimeUnit.MINUTES);
                sampler.sample(true);
                sampler.histogram(dir.resolve("histogram-end.txt"));
                Map<String, Long> finalCounters = onLoop(counters::snapshot);
                onLoop(() -> {
                    population.stop();
                    slow.stop();
                    ledger.close();
                    return null;
                });
                return report(sampler, ledgerResult, finalCounters);
            } finally {
                sampling.shutdownNow();
                vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        }

        /** Every 10 ms on the loop: what is due of each stream since the load started (open loop). */
        private void tick() {
            double t = (System.nanoTime() - loadStart) / 1e9;
            int n = (int) (churn * t - churned);
            churned += n;
            population.churn(n, random);
            n = (int) (kickRate * t - kicks);
            kicks += n;
            for (int k = 0; k < n; k++) {
                counters.kicked++;
                api.kick(Population.user(random.nextInt(connections)));
            }
            n = (int) (ledgerUsers / ledgerKickSeconds * t - ledgerKicks);
            ledgerKicks += n;
            for (int k = 0; k < n; k++) {
                ledger.kick(random.nextInt(ledgerUsers));
            }
            n = (int) (ledgerRate * t - ledgerSent);
            ledgerSent += n;
            counters.published += ledger.publish(n);
            if (slowConsumers > 0) {
                n = (int) (slowRate * t - slowSent);
                slowSent += n;
                for (int k = 0; k < n; k++) {
                    int i = nextSlow;
                    nextSlow = (nextSlow + 1) % slowConsumers;
                    send(SlowConsumers.user(i), SLOW_DATA, false, i);
                }
            }
            double populationRate = rate - ledgerRate - (slowConsumers > 0 ? slowRate : 0);
            n = (int) (populationRate * t - populationSent);
            populationSent += n;
            for (int k = 0; k < n; k++) {
                send(Population.user(random.nextInt(connections)), DATA, random.nextDouble() < durableShare, -1);
            }
        }

        private void send(String user, String data, boolean durable, int slowIndex) {
            if (counters.inFlight >= maxInFlight) {
                counters.backlogSkips++;
                return;
            }
            counters.inFlight++;
            counters.published++;
            api.publish(user, data, durable).onComplete(ar -> {
                counters.inFlight--;
                Api.Answer a = ar.result();
                switch (a.status()) {
                    case 200 -> {
                        counters.publishOk++;
                        // persist:false to nobody is 200 with delivered 0 (404 user_offline is /send's answer): a user between
                        // connections, or a slow consumer the server closed, which is then replaced
                        if (!durable && a.delivered() == 0) {
                            counters.publishOffline++;
                            if (slowIndex >= 0) {
                                slow.replace(slowIndex);
                            }
                        }
                    }
                    case 202 -> counters.publishQueued++;
                    default -> counters.publishFailed++;
                }
            });
        }

        private int report(Sampler sampler, Ledger.Result l, Map<String, Long> c) throws IOException {
            double[] slopes = sampler.slopes(warmupSeconds());
            double[] last = sampler.last();
            SoakReport r = new SoakReport(Soak.this, slopes, last, l, c, sampler.lastStats(), dir);
            String summary = r.markdown();
            Files.writeString(dir.resolve("summary.md"), summary);
            System.out.println();
            System.out.println(summary);
            if (!resultsMd.isEmpty()) {
                SoakReport.appendToResults(Path.of(resultsMd), r.resultsLine());
                log("appended to " + resultsMd + ", section Soak");
            }
            if (!headlines.isEmpty()) {
                Headlines.append(Path.of(headlines), "soak", commit, r.headlines());
                log("appended to " + headlines);
            }
            return l.clean() ? 0 : 1;
        }

        private <T> T onLoop(Callable<T> task) {
            CompletableFuture<T> f = new CompletableFuture<>();
            loop.runOnContext(v -> {
                try {
                    f.complete(task.call());
                } catch (Exception e) {
                    f.completeExceptionally(e);
                }
            });
            try {
                return f.get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("the generator's event loop did not answer", e);
            }
        }

        private <T> CompletableFuture<T> onLoopFuture(Callable<CompletableFuture<T>> task) {
            CompletableFuture<T> f = new CompletableFuture<>();
            loop.runOnContext(v -> {
                try {
                    task.call().whenComplete((value, e) -> {
                        if (e != null) {
                            f.completeExceptionally(e);
                        } else {
                            f.complete(value);
                        }
                    });
                } catch (Exception e) {
                    f.completeExceptionally(e);
                }
            });
            return f;
        }
    }

    private static List<String> prepend(String header, List<String> lines) {
        List<String> out = new ArrayList<>(lines.size() + 1);
        out.add(header);
        out.addAll(lines);
        return out;
    }

    static void log(String line) {
        System.err.println(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("HH:mm:ss")) + " " + line);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
