package dev.herald.bench;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import org.HdrHistogram.Histogram;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * HTTP/1.1 load on one Vert.x event loop (the generator gets one core): a pool of keep-alive
 * connections, no pipelining.
 *
 * <p><b>Open loop</b> (a fixed rate): request {@code n} is due at {@code t0 + n × period}, whether or not
 * earlier requests have been answered, and its latency is measured from that <em>intended</em> time, so
 * a stalled server (or a stalled generator) shows up as latency instead of as fewer requests — no
 * coordinated omission. When every connection is busy, due requests wait in the pool's unbounded queue,
 * and that wait is latency too. <b>Closed loop</b> (to find the maximum): a fixed number of requests in
 * flight, each answer sends the next; latency is then measured from the actual send.
 *
 * <p>Each run has a ramp (load applied, not recorded), a measured window, and a drain: latencies are
 * recorded for requests <em>due</em> in the window (open loop) and throughput counts messages whose 2xx
 * answer <em>arrived</em> in the window. All state of a run lives on the event loop; not thread-safe
 * otherwise, one run at a time.
 */
public final class LoadGenerator implements AutoCloseable {
    /** Latencies up to 10 minutes, 3 significant digits, in microseconds. */
    static final long MAX_LATENCY_MICROS = TimeUnit.MINUTES.toMicros(10);

    private final Vertx vertx;
    private final Context context;
    private final HttpClientAgent client;
    private final Payloads payloads;
    private final int batchSize;
    private final boolean durable;
    private final RequestOptions single;
    private final RequestOptions batch;

    public LoadGenerator(String host, int port, int connections, Payloads payloads, int batchSize, boolean durable) {
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1).setInternalBlockingPoolSize(1)
                .setPreferNativeTransport(true));
        this.context = vertx.getOrCreateContext();
        this.client = vertx.httpClientBuilder()
                .with(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_1_1).setKeepAlive(true).setPipelining(false)
                        .setTcpNoDelay(true).setIdleTimeout(0).setDefaultHost(host).setDefaultPort(port))
                .with(new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1))
                .build();
        this.payloads = payloads;
        this.batchSize = batchSize;
        this.durable = durable;
        this.single = post(host, port, Scenario.Kind.SINGLE.path());
        this.batch = post(host, port, Scenario.Kind.BATCH.path());
    }

    private static RequestOptions post(String host, int port, String path) {
        return new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port).setURI(path)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    }

    /**
     * What one run measured.
     *
     * @param latency          accept latency (µs) of requests due in the window: from intended send time (open loop) or send time (closed)
     * @param messages         messages whose 2xx answer arrived in the window
     * @param requests         requests answered 2xx in the window
     * @param failures         requests that failed (non-2xx, error in a batch result, I/O error, not answered by the drain deadline) in the whole run
     * @param firstFailure     what the first failure was, or {@code null}
     * @param maxSendLagMicros open loop: the most a request was handed to the client after its due time (generator lag)
     */
    public record Outcome(Histogram latency, long messages, long requests, long failures, String firstFailure, long maxSendLagMicros,
                          boolean gaveUp) { }

    /**
     * Open loop: when the requests waiting for an answer amount to more than this much of the offered
     * load, the server is far past saturation; the run stops sending (and says so) instead of building a
     * backlog that would take minutes to drain and spill into the next scenario.
     */
    static final long MAX_BACKLOG_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** A run in progress: the main thread reads the window bounds to sample CPU, then {@link #await}s. */
    public final class Run {
        private final Scenario scenario;
        private final int messagesPerRequest;
        private final RequestOptions request;
        private final long t0;
        public final long measureStart;
        public final long measureEnd;
        private final Histogram latency = new Histogram(MAX_LATENCY_MICROS, 3);
        private final CompletableFuture<Outcome> done = new CompletableFuture<>();
        private long seq;
        private long outstanding;
        private long messages;
        private long requests;
        private long failures;
        private String firstFailure;
        private long maxSendLag;
        private boolean issuing = true;
        private boolean finished;
        private boolean gaveUp;

        private Run(Scenario scenario, long rampNanos, long measureNanos) {
            this.scenario = scenario;
            this.messagesPerRequest = scenario.messagesPerRequest(batchSize);
            this.request = scenario.kind() == Scenario.Kind.SINGLE ? single : batch;
            this.t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
            this.measureStart = t0 + rampNanos;
            this.measureEnd = measureStart + measureNanos;
        }

        private void startOpenLoop() {
            double periodNanos = 1e9 * messagesPerRequest / scenario.messagesPerSecond();
            // A 1 ms tick sends every request that has come due; lateness of the tick is the generator's and counts as latency.
            vertx.setPeriodic(1, id -> {
                long now = System.nanoTime();
                while (true) {
                    long intended = t0 + (long) (seq * periodNanos);
                    if (intended >= measureEnd) {
                        vertx.cancelTimer(id);
                        issuing = false;
                        checkDone();
                        return;
                    }
                    if (intended > now) {
                        return;
                    }
                    if (outstanding * periodNanos > MAX_BACKLOG_NANOS) {
                        vertx.cancelTimer(id);
                        gaveUp = true;
                        issuing = false;
                        checkDone();
                        return;
                    }
                    maxSendLag = Math.max(maxSendLag, now - intended);
                    send(intended);
                }
            });
        }

        private void startClosedLoop(int inFlight) {
            vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(t0 - System.nanoTime())), id -> {
                for (int i = 0; i < inFlight; i++) {
                    send(System.nanoTime());
                }
            });
            vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(measureEnd - System.nanoTime())), id -> {
                issuing = false;
                checkDone();
            });
        }

        private void send(long intended) {
            outstanding++;
            byte[] body = payloads.body(scenario.kind(), seq++);
            client.request(request)
                    .compose(req -> req.send(Buffer.buffer(body)))
                    .compose(resp -> resp.body().map(b -> check(resp.statusCode(), b)))
                    .onComplete(ar -> completed(intended, ar));
        }

        /** {@code null} when the answer is the expected success, else what was wrong. */
        private String check(int status, Buffer body) {
            int expected = scenario.kind() == Scenario.Kind.BATCH || !durable ? 200 : 202;
            if (status != expected) {
                return "HTTP " + status + " (expected " + expected + "): " + abbreviate(body.toString());
            }
            if (scenario.kind() == Scenario.Kind.BATCH && body.toString().contains("\"error\"")) {
                return "a batch result has an error: " + abbreviate(body.toString());
            }
            return null;
        }

        private void completed(long intended, AsyncResult<String> ar) {
            if (finished) {
                return; // answered after the drain deadline: already counted as a failure
            }
            long now = System.nanoTime();
            outstanding--;
            String failure = ar.failed() ? "I/O: " + ar.cause() : ar.result();
            if (failure != null) {
                if (failures++ == 0) {
                    firstFailure = failure;
                }
            } else if (now >= measureStart && now < measureEnd) {
                requests++;
                messages += messagesPerRequest;
            }
            if (intended >= measureStart && intended < measureEnd) {
                latency.recordValue(Math.min(MAX_LATENCY_MICROS, (now - intended) / 1_000));
            }
            if (scenario.closedLoop() && issuing && now < measureEnd) {
                send(System.nanoTime());
            }
            checkDone();
        }

        private void checkDone() {
            if (!issuing && outstanding == 0 && !finished) {
                finish();
            }
        }

        private void finish() {
            finished = true;
            done.complete(new Outcome(latency, messages, requests, failures, firstFailure, maxSendLag / 1_000, gaveUp));
        }

        /** Waits for the run to end; requests not answered {@code drainNanos} after the window count as failures. */
        public Outcome await(long drainNanos) throws InterruptedException {
            long wait = measureEnd + drainNanos - System.nanoTime();
            try {
                return done.get(Math.max(1, wait), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                context.runOnContext(v -> {
                    if (!finished) {
                        long unanswered = outstanding; // their latency is unknown (over the drain time): the run is invalid
                        failures += unanswered;
                        if (firstFailure == null) {
                            firstFailure = unanswered + " requests unanswered " + TimeUnit.NANOSECONDS.toSeconds(drainNanos) + " s after the window";
                        }
                        issuing = false;
                        finish();
                    }
                });
                try {
                    return done.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException e2) {
                    throw new IllegalStateException("the generator's event loop does not answer", e2);
                }
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    /**
     * Starts a run: {@code ramp} of load (not recorded), then the measured window.
     *
     * @param inFlight closed loop only: requests kept in flight
     */
    public Run start(Scenario scenario, int inFlight, long rampNanos, long measureNanos) {
        Run run = new Run(scenario, rampNanos, measureNanos);
        context.runOnContext(v -> {
            if (scenario.closedLoop()) {
                run.startClosedLoop(inFlight);
            } else {
                run.startOpenLoop();
            }
        });
        return run;
    }

    private static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "…";
    }

    @Override
    public void close() {
        try {
            client.close().await(10, TimeUnit.SECONDS);
            vertx.close().await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // best effort at the end of a run
        }
    }
}
