package dev.herald.bench.profile;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * A small functional load for profiling the seed-compatible {@code GET /send} (not a benchmark: closed loop,
 * no histogram), the sibling of {@link BatchLoad}: connects {@code users} seed-protocol WebSockets
 * ({@code {"uid":"u<i>"}}), then sends {@code GET /send?uid=u<i>&message=<24 chars>&persist=false}, round robin
 * over the users (with {@code MODE=form} in the environment: the seed's {@code POST /send} with those fields as a form
 * body), {@code inFlight} requests at a time for {@code seconds}, and prints messages accepted (200 with an
 * {@code "id"}) and received.
 *
 * <p>With {@code warmup} and {@code jfrCommand}: first {@code warmup} seconds of the same load, then
 * {@code jfrCommand start} before and {@code jfrCommand stop} after the measured seconds.
 *
 * <p>The WebSockets and the loop are {@link ClosedLoopLoad}'s. Run by {@code bench/profile-send}.
 *
 * <pre>java -cp herald-bench/target/herald-bench.jar dev.herald.bench.profile.SendLoad http://127.0.0.1:8181 users inFlight seconds [warmup jfrCommand]</pre>
 */
public final class SendLoad {
    public static void main(String[] args) throws Exception {
        String base = args[0];
        int users = Integer.parseInt(args[1]);
        int inFlight = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[3]);
        ClosedLoopLoad load = new ClosedLoopLoad(base, users);
        // the generator of bench/run sends a stamp of about this size (digits and '-': nothing to escape)
        List<HttpRequest> requests = new ArrayList<>();
        // MODE=form: the seed's POST /send form (the same fields in an application/x-www-form-urlencoded body)
        boolean form = "form".equals(System.getenv("MODE"));
        for (int i = 0; i < users; i++) {
            String fields = "uid=u" + i + "&message=1763938000000000000-" + (1000 + i % 9000) + "&persist=false";
            requests.add(form
                    ? HttpRequest.newBuilder(URI.create(base + "/send"))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString(fields)).build()
                    : HttpRequest.newBuilder(URI.create(base + "/send?" + fields)).GET().build());
        }
        load.run(i -> requests.get(i % requests.size()), r -> r.statusCode() == 200 && r.body().startsWith("{\"id\":\""),
                1, inFlight, seconds, args.length > 5 ? Integer.parseInt(args[4]) : 0, args.length > 5 ? args[5] : null);
    }
}
