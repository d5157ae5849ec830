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

/**
 * A small functional load for profiling the seed-compatible {@code GET /send} (not a benchmark: closed loop,
 * no histogram), the sibling of {@code BatchLoad.java}: connects {@code users} seed-protocol WebSockets
 * ({@code {"uid":"u<i>"}}), then sends {@code GET /send?uid=u<i>&message=<24 chars>&persist=false}, round robin
 * over the users, {@code inFlight} requests at a time for {@code seconds}, and prints messages accepted (200 with an
 * {@code "id"}) and received.
 *
 * <p>With {@code warmup} and {@code jfrCommand}: first {@code warmup} seconds of the same load, then
 * {@code jfrCommand start} before and {@code jfrCommand stop} after the measured seconds.
 *
 * <pre>java bench/SendLoad.java http://127.0.0.1:8181 users inFlight seconds [warmup jfrCommand]</pre>
 */
public final class SendLoad {
    public static void main(String[] args) throws Exception {
        String base = args[0];
        int users = Integer.parseInt(args[1]);
        int inFlight = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[3]);
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
        // the generator of bench/run sends a stamp of about this size (digits and '-': nothing to escape)
        List<URI> uris = new ArrayList<>();
        for (int i = 0; i < users; i++) {
            uris.add(URI.create(base + "/send?uid=u" + i + "&message=1763938000000000000-" + (1000 + i % 9000)
                    + "&persist=false"));
        }
        if (args.length > 5) {
            load(http, uris, inFlight, Integer.parseInt(args[4]), received);
            run(args[5], "start");
        }
        load(http, uris, inFlight, seconds, received);
        if (args.length > 5) {
            run(args[5], "stop");
        }
        for (WebSocket ws : sockets) {
            ws.abort();
        }
        System.exit(0);
    }

    private static void run(String command, String arg) throws Exception {
        new ProcessBuilder(command, arg).inheritIO().start().waitFor();
    }

    private static void load(HttpClient http, List<URI> uris, int inFlight, int seconds, AtomicLong received)
            throws Exception {
        received.set(0);
        Semaphore slots = new Semaphore(inFlight);
        AtomicLong accepted = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long start = System.nanoTime();
        int i = 0;
        while (System.nanoTime() < end) {
            slots.acquire();
            HttpRequest req = HttpRequest.newBuilder(uris.get(i++ % uris.size())).GET().build();
            http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
                if (e == null && r.statusCode() == 200 && r.body().startsWith("{\"id\":\"")) {
                    accepted.incrementAndGet();
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
