package dev.herald.bench.profile;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.function.Predicate;

/**
 * The shared part of the profiling loads {@link SendLoad} and {@link BatchLoad} (functional loads, not
 * benchmarks): seed-protocol WebSockets that count what they receive, and a closed loop of HTTP requests with an
 * optional warm-up and recording command around the measured part. JDK only: the loads run from the herald-bench
 * jar without its library directory.
 */
final class ClosedLoopLoad {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final AtomicLong received = new AtomicLong();
    private final List<WebSocket> sockets = new ArrayList<>();

    /** Connects seed-protocol users u0 … u(users − 1) to {@code base}'s {@code /ws}; every message they get is counted. */
    ClosedLoopLoad(String base, int users) throws Exception {
        String wsBase = base.replaceFirst("^http", "ws") + "/ws";
        for (int i = 0; i < users; i++) {
            WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(wsBase), new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                    if (last) {
                        received.incrementAndGet();
                    }
                    webSocket.request(1);
                    return null;
                }
            }).get(10, TimeUnit.SECONDS);
            ws.sendText("{\"uid\":\"u" + i + "\"}", true).get();
            sockets.add(ws);
        }
        Thread.sleep(500);
    }

    /**
     * Runs request {@code request.apply(i)} for i = 0, 1, … with {@code inFlight} in flight: first {@code warmup}
     * seconds and then {@code recorder start} when {@code recorder} is given, then the measured {@code seconds} (and
     * {@code recorder stop}); prints messages accepted ({@code perRequest} per answer {@code accepted} approves) and
     * received. Closes the sockets and exits.
     */
    void run(IntFunction<HttpRequest> request, Predicate<HttpResponse<String>> accepted, int perRequest, int inFlight,
             int seconds, int warmup, String recorder) throws Exception {
        if (recorder != null) {
            load(request, accepted, perRequest, inFlight, warmup);
            command(recorder, "start");
        }
        load(request, accepted, perRequest, inFlight, seconds);
        if (recorder != null) {
            command(recorder, "stop");
        }
        for (WebSocket ws : sockets) {
            ws.abort();
        }
        System.exit(0);
    }

    private static void command(String command, String arg) throws Exception {
        new ProcessBuilder(command, arg).inheritIO().start().waitFor();
    }

    private void load(IntFunction<HttpRequest> request, Predicate<HttpResponse<String>> isAccepted, int perRequest,
                      int inFlight, int seconds) throws Exception {
        received.set(0);
        Semaphore slots = new Semaphore(inFlight);
        AtomicLong accepted = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long start = System.nanoTime();
        int i = 0;
        while (System.nanoTime() < end) {
            slots.acquire();
            http.sendAsync(request.apply(i++), HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
                if (e == null && isAccepted.test(r)) {
                    accepted.addAndGet(perRequest);
                } else {
                    failed.incrementAndGet();
                }
                slots.release();
            });
        }
        slots.acquire(inFlight);
        double secs = (System.nanoTime() - start) / 1e9;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (received.get() < accepted.get() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        System.out.printf("accepted %d msgs in %.1f s (%.0f msg/s), failed requests %d, received %d%n",
                accepted.get(), secs, accepted.get() / secs, failed.get(), received.get());
    }
}
