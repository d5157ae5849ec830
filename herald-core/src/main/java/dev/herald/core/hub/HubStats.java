package dev.herald.core.hub;

import java.util.concurrent.atomic.LongAdder;

/**
 * Monotonic counters of what the hub and its sessions did. Cheap to bump from any thread
 * ({@link LongAdder}); read by {@code GET /api/v1/stats} and the Prometheus meters.
 */
public final class HubStats {
    /** Messages accepted for publishing (one per message, however many recipients). */
    public final LongAdder messagesIn = new LongAdder();
    /** Frames queued to a connection (one per recipient connection). */
    public final LongAdder messagesOut = new LongAdder();
    /** Frames a connection refused because it was closed or its send queue was full. */
    public final LongAdder dropped = new LongAdder();
    /** Connections closed because they did not read fast enough (4008; a Pusher connection 4100). */
    public final LongAdder slowConsumerCloses = new LongAdder();
    /** Connections refused because their user already had the maximum number. */
    public final LongAdder connectionsRejected = new LongAdder();
    /** Connections accepted into the hub since start. */
    public final LongAdder connectionsOpened = new LongAdder();
    /** Stored messages sent to connections that had missed them (replay on login, resume, subscribe). */
    public final LongAdder messagesReplayed = new LongAdder();
    /** Acks and reads for messages the user is not a recipient of (or that do not exist): ignored. */
    public final LongAdder acksIgnored = new LongAdder();
    /** Publishes refused with 503 because the store could not commit. */
    public final LongAdder storeFailures = new LongAdder();
}
