package dev.herald.bench.soak;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the generator did, counted on its event loop (not thread-safe: other threads read a {@link #snapshot} taken
 * there).
 */
final class Counters {
    long connects;
    long disconnects;
    long connectFailures;
    long kicked;
    long populationReceived;
    long published;
    long publishOk;
    long publishQueued;
    long publishOffline;
    long publishFailed;
    long backlogSkips;
    long slowReplaced;
    long ledgerPublishFailed;
    long ledgerGaps;
    long ledgerReconnects;
    long ledgerPullFailures;
    int inFlight;
    int open;

    Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("gen_open", (long) open);
        m.put("gen_connects", connects);
        m.put("gen_disconnects", disconnects);
        m.put("gen_connect_failures", connectFailures);
        m.put("kicks", kicked);
        m.put("received", populationReceived);
        m.put("published", published);
        m.put("publish_200", publishOk);
        m.put("publish_202", publishQueued);
        m.put("publish_not_delivered", publishOffline); // persist:false answered delivered 0: the user had no connection
        m.put("publish_failed", publishFailed);
        m.put("backlog_skips", backlogSkips);
        m.put("in_flight", (long) inFlight);
        m.put("slow_replaced", slowReplaced);
        m.put("ledger_publish_failed", ledgerPublishFailed);
        m.put("ledger_gaps", ledgerGaps);
        m.put("ledger_reconnects", ledgerReconnects);
        m.put("ledger_pull_failures", ledgerPullFailures);
        return m;
    }
}
