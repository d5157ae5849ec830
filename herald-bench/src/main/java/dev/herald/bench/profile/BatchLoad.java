package dev.herald.bench.profile;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;

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
 * <p>The WebSockets and the loop are {@link ClosedLoopLoad}'s. Run by {@code bench/profile-batch}.
 *
 * <pre>java -cp herald-bench/target/herald-bench.jar dev.herald.bench.profile.BatchLoad http://127.0.0.1:8181 users batch inFlight seconds [warmup jfrCommand]</pre>
 */
public final class BatchLoad {
    public static void main(String[] args) throws Exception {
        String base = args[0];
        int users = Integer.parseInt(args[1]);
        int batch = Integer.parseInt(args[2]);
        int inFlight = Integer.parseInt(args[3]);
        int seconds = Integer.parseInt(args[4]);
        ClosedLoopLoad load = new ClosedLoopLoad(base, users);
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
        load.run(i -> HttpRequest.newBuilder(batchUri).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(bodies.get(i % bodies.size()))).build(),
                r -> r.statusCode() == 200 && !r.body().contains("\"error\""),
                batch, inFlight, seconds, args.length > 6 ? Integer.parseInt(args[5]) : 0, args.length > 6 ? args[6] : null);
    }
}
