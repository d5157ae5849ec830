package dev.herald.server.cluster;

import java.util.concurrent.atomic.LongAdder;

/**
 * What a cluster broker ({@link RedisBroker}, {@link PostgresBroker}) counts, the same for both: the metrics bind to
 * it ({@code HeraldMetrics.bindBroker}) and the tests read it. Thread-safe.
 */
public final class BrokerCounters {
    final LongAdder sent = new LongAdder();
    final LongAdder received = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder unreadable = new LongAdder();
    final LongAdder subscriptions = new LongAdder();
    final LongAdder catchUpsAsked = new LongAdder();

    /** Envelopes the broker's server (Redis, PostgreSQL) accepted from this node. */
    public long sent() {
        return sent.sum();
    }

    /** Envelopes from other nodes handed to this node's hub. */
    public long received() {
        return received.sum();
    }

    /** Envelopes not sent to the other nodes (the connection away, too many in flight, or a failed publish). */
    public long dropped() {
        return dropped.sum();
    }

    /** Envelopes this node could not read (another version, or not Herald's). */
    public long unreadable() {
        return unreadable.sum();
    }

    /** How many times the subscription was made (the first time included): each one made the sessions catch up. */
    public long subscriptions() {
        return subscriptions.sum();
    }

    /** How many catch-up requests this node sent the others after some of its envelopes were dropped. */
    public long catchUpsAsked() {
        return catchUpsAsked.sum();
    }
}
