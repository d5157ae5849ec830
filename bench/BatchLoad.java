import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small functional load for profiling the batch API (not a benchmark: no open loop, no histogram):
 * connects {@code users} seed-protocol WebSockets ({@code {"uid":"u<i>"}}), then posts batches of
 * {@code batch} personal messages ({@code persist:false}, round robin over the users) for
 * {@code seconds}, {@code inFlight} requests at a time, and prints messages accepted and received.
 *
 * <p>With {@code warmup} and {@code jfrCommand}: first {@code warmup} seconds of the same load, then
 * {@code jfrCommand start} before and {@code jfrCommand stop} after the measured seconds (so the connects and
 * the warm-up stay out of the recording).
 *
 * <pre>java bench/BatchLoad.java http://127.0.0.1:8181 users batch inFlight seconds [warmup jfrCommand]</pre>
 */
public final class BatchLoad {
    public static void main(String[] args) throws Exception {
        String base = args[0];
        int users = Integer.parseInt(args[1]);
        int batch = Integer.parseInt(args[2]);
        int inFlight = Integer.parseInt(args[3]);
        int seconds = Integer.parseInt(args[4]);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        AtomicLong received = new AtomicLong();
        List<WebSocket> sockets = new ArrayList<>();
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
        // bodies built before the run, 100-byte data
        String data = "x".repeat(100);
        List<String> bodies = new ArrayList<>();
        int next = 0;
        for (int b = 0; b < 64; b++) {
            StringBuilder sb = new StringBuilder("{\"messages\":[");
            for (int m = 0; m < batch; m++) {
                if (m > 0) {
                    sb.append(',');
                }
                sb.append("{\"to\":{\"users\":[\"u").append(next++ % users).append("\"]},\"data\":\"").append(data)
                        .append("\",\"persist\":false}");
            }
            bodies.add(sb.append("]}").toString());
        }
        URI batchUri = URI.create(base + "/api/v1/messages/batch");
        if (args.length > 6) {
            load(http, batchUri, bodies, batch, inFlight, Integer.parseInt(args[5]), received);
            run(args[6], "start");
        }
        load(http, batchUri, bodies, batch, inFlight, seconds, received);
        if (args.length > 6) {
            run(args[6], "stop");
        }
        for (WebSocket ws : sockets) {
            ws.abort();
        }
        System.exit(0);
    }

    private static void run(String command, String arg) throws Exception {
        new ProcessBuilder(command, arg).inheritIO().start().waitFor();
    }

    private static void load(HttpClient http, URI batchUri, List<String> bodies, int batch, int inFlight, int seconds,
                             AtomicLong received) throws Exception {
        received.set(0);
        Semaphore slots = new Semaphore(inFlight);
        AtomicLong accepted = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long start = System.nanoTime();
        int i = 0;
        while (System.nanoTime() < end) {
            slots.acquire();
            HttpRequest req = HttpRequest.newBuilder(batchUri).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(bodies.get(i++ % bodies.size()))).build();
            http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
                if (e == null && r.statusCode() == 200 && !r.body().contains("\"error\"")) {
                    accepted.addAndGet(batch);
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
