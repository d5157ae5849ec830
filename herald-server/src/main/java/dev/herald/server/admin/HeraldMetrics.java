package dev.herald.server.admin;

import dev.herald.core.hub.Hub;
import dev.herald.core.hub.HubStats;
import dev.herald.core.store.Maintenance;
import dev.herald.server.cluster.BrokerCounters;
import dev.herald.server.net.ConnectionLimit;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/**
 * Herald's Prometheus registry: hub gauges and counters read straight from {@link Hub} and
 * {@link HubStats} (no double bookkeeping), plus the JVM binders. Closed on shutdown.
 */
public final class HeraldMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final LongAdder expired = new LongAdder();
    private final LongAdder capDropped = new LongAdder();
    private final LongAdder purged = new LongAdder();

    public HeraldMetrics(Hub hub, HubStats stats, IntSupplier openConnections) {
        gauge("herald.connections", "Authenticated connections on this node (WebSocket and SSE)", hub::connectionCount);
        for (String transport : java.util.List.of("websocket", "sse")) {
            gauge("herald.connections.transport", "Authenticated connections on this node, per transport (websocket, sse)",
                    io.micrometer.core.instrument.Tags.of("transport", transport), () -> hub.connectionsByTransport().getOrDefault(transport, 0));
        }
        bindOpenConnections("websocket", openConnections);
        gauge("herald.users.online", "Users with at least one connection on this node", hub::userCount);
        gauge("herald.topics", "Topics with at least one subscriber on this node", hub::topicCount);
        counter("herald.messages.in", "Messages accepted for publishing", stats.messagesIn);
        counter("herald.messages.out", "Frames queued to connections (one per recipient connection)", stats.messagesOut);
        counter("herald.messages.dropped", "Frames refused by closed or full connections", stats.dropped);
        counter("herald.slow.consumer.closes", "Connections closed as slow consumers (4008; Pusher connections 4100)", stats.slowConsumerCloses);
        counter("herald.connections.rejected", "Connections closed with 4009 (too many per user)", stats.connectionsRejected);
        counter("herald.connections.opened", "Connections that authenticated since start", stats.connectionsOpened);
        counter("herald.messages.replayed", "Stored messages sent to connections that had missed them", stats.messagesReplayed);
        counter("herald.acks.ignored", "Acks and reads for messages not addressed to the acking user", stats.acksIgnored);
        counter("herald.store.failures", "Publishes refused with 503 store_unavailable", stats.storeFailures);
        counter("herald.messages.expired", "Stored messages whose ttl ran out before their recipient acked them", expired);
        counter("herald.messages.inbox.dropped", "Stored messages pushed out of an inbox or topic log by messages.inbox-cap", capDropped);
        counter("herald.messages.purged", "Stored messages deleted after messages.receipt-retention", purged);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /**
     * {@code herald_connections_open{transport}}: the sockets one endpoint holds open now, logged in or not, one series
     * per endpoint ({@code websocket} for {@code /ws}, {@code sse} for {@code /api/v1/events}, {@code pusher} for
     * {@code /app/{key}}), so that their sum is what {@code ws.max-connections} counts.
     */
    public void bindOpenConnections(String transport, IntSupplier openConnections) {
        gauge("herald.connections.open", "Open connections, logged in or not, per endpoint (transport)",
                io.micrometer.core.instrument.Tags.of("transport", transport), openConnections);
    }

    /** {@code herald_sse_closing_timeouts_total}: streams dropped because their last bytes did not leave within 5 s. */
    public void bindSseClosingTimeouts(LongAdder drops) {
        counter("herald.sse.closing.timeouts", "SSE streams dropped because their close event did not leave within 5 s (a peer that stopped reading)", drops);
    }

    private void gauge(String name, String help, IntSupplier value) {
        gauge(name, help, io.micrometer.core.instrument.Tags.empty(), value);
    }

    private void gauge(String name, String help, io.micrometer.core.instrument.Tags tags, IntSupplier value) {
        // strongReference: Micrometer holds gauge state weakly, and nothing else references these suppliers (the
        // method-reference lambdas), so they would be garbage-collected and the gauges would report NaN
        Gauge.builder(name, value, v -> v.getAsInt()).description(help).tags(tags).strongReference(true).register(registry);
    }

    private void counter(String name, String help, LongAdder adder) {
        FunctionCounter.builder(name, adder, LongAdder::sum).description(help).register(registry);
    }

    /** Group commits of a database store: how many transactions, and how many failed (each failing all its writes). */
    public <S> void bindStoreCommits(S store, ToLongFunction<S> commits, ToLongFunction<S> failedCommits) {
        // the store itself is the meters' state object: Micrometer holds it weakly, and the server holds it strongly
        FunctionCounter.builder("herald.store.commits", store, s -> commits.applyAsLong(s))
                .description("Transactions the message store committed (group commit: many writes each)").register(registry);
        FunctionCounter.builder("herald.store.commits.failed", store, s -> failedCommits.applyAsLong(s))
                .description("Message store transactions that failed (their writes answered 503)").register(registry);
    }

    /**
     * A cluster broker's envelopes ({@code herald_broker_envelopes_total{outcome}}: sent to the other nodes, received
     * from them, dropped (not sent: the broker's server down or too many in flight), unreadable) and whether it is
     * connected. The Redis and the PostgreSQL LISTEN/NOTIFY broker report both alike, so the texts name neither.
     */
    public void bindBroker(BrokerCounters counters, BooleanSupplier connected) {
        // the counters are the meters' state object: Micrometer holds it weakly, and the broker holds it strongly
        String help = "Cluster broker envelopes: sent to the other nodes, received from them, dropped (not sent), unreadable";
        FunctionCounter.builder("herald.broker.envelopes", counters, BrokerCounters::sent).tag("outcome", "sent").description(help).register(registry);
        FunctionCounter.builder("herald.broker.envelopes", counters, BrokerCounters::received).tag("outcome", "received").description(help).register(registry);
        FunctionCounter.builder("herald.broker.envelopes", counters, BrokerCounters::dropped).tag("outcome", "dropped").description(help).register(registry);
        FunctionCounter.builder("herald.broker.envelopes", counters, BrokerCounters::unreadable).tag("outcome", "unreadable").description(help).register(registry);
        Gauge.builder("herald.broker.connected", connected, c -> c.getAsBoolean() ? 1 : 0)
                .description("1 while the cluster broker's connections (Redis, or PostgreSQL LISTEN/NOTIFY) are up and its channels listened to").strongReference(true).register(registry);
    }

    /**
     * The store writer's queue: writes waiting for it now, and how many writes each committed transaction carried.
     *
     * @return what the store tells each committed transaction's size
     */
    public <S> IntConsumer bindStoreWriter(S store, ToIntFunction<S> queued) {
        Gauge.builder("herald.store.queue", store, s -> queued.applyAsInt(s))
                .description("Messages and status updates waiting for the store's writer (past 200,000 new writes answer 503 store_unavailable)")
                .register(registry);
        DistributionSummary groups = DistributionSummary.builder("herald.store.group.size")
                .description("Messages and status updates per committed store transaction (group commit)")
                .serviceLevelObjectives(1, 10, 50, 100, 200, 500, 1_000, 2_000, 5_000)
                .register(registry);
        return groups::record;
    }

    /** SQLite's write-ahead log: its file size, and the checkpoints that held up the store's writer. */
    public <S> void bindSqliteWal(S store, ToLongFunction<S> walBytes, ToLongFunction<S> writerCheckpoints) {
        Gauge.builder("herald.store.wal.bytes", store, s -> walBytes.applyAsLong(s)).baseUnit("bytes")
                .description("Size of SQLite's write-ahead log file (checkpointed about every second, bounded at 256 MiB)").register(registry);
        FunctionCounter.builder("herald.store.wal.writer.checkpoints", store, s -> writerCheckpoints.applyAsLong(s))
                .description("SQLite checkpoints run by the store's writer, holding up commits (a long log or the file at its bound)")
                .register(registry);
    }

    /** Per channel, the delivery attempts under way now ({@code herald_notify_in_flight{channel}}). */
    public void bindNotifyInFlight(Iterable<String> channels, java.util.function.ToIntFunction<String> inFlight) {
        for (String channel : channels) {
            gauge("herald.notify.in.flight", "Channel delivery attempts under way", io.micrometer.core.instrument.Tags.of("channel", channel),
                    () -> inFlight.applyAsInt(channel));
        }
    }

    /** The connection cap: its value, and the connections it refused at the upgrade (503) and at accept (closed). */
    public void bindConnectionLimit(ConnectionLimit limit) {
        gauge("herald.connections.max", "ws.max-connections: WebSocket connections this node holds at most", limit::maxWebSockets);
        FunctionCounter.builder("herald.connections.refused", limit.refusedAtUpgrade(), LongAdder::sum).tag("stage", "upgrade")
                .description("Connections refused by ws.max-connections: at the upgrade (503 too_many_connections) or at accept (closed)")
                .register(registry);
        FunctionCounter.builder("herald.connections.refused", limit.refusedAtAccept(), LongAdder::sum).tag("stage", "accept")
                .description("Connections refused by ws.max-connections: at the upgrade (503 too_many_connections) or at accept (closed)")
                .register(registry);
    }

    /** What the HTTP connection guard closed and refused ({@code http.*} timeouts, per-address cap, eviction). */
    public void bindHttpGuard(dev.herald.server.net.HttpConnectionGuard guard) {
        String timeouts = "HTTP connections closed by a timeout: header (408 request_timeout), idle (keep-alive), upgrade";
        FunctionCounter.builder("herald.http.timeouts", guard.headerTimeouts(), LongAdder::sum).tag("reason", "header")
                .description(timeouts).register(registry);
        FunctionCounter.builder("herald.http.timeouts", guard.idleTimeouts(), LongAdder::sum).tag("reason", "idle")
                .description(timeouts).register(registry);
        FunctionCounter.builder("herald.http.timeouts", guard.upgradeTimeouts(), LongAdder::sum).tag("reason", "upgrade")
                .description(timeouts).register(registry);
        String refusals = "TCP connections refused or closed to keep room: per_address (429 too_many_connections_from_address), "
                + "evicted_idle (closed while waiting for a request, to admit a new connection at the socket cap)";
        FunctionCounter.builder("herald.http.refusals", guard.refusedPerAddress(), LongAdder::sum).tag("reason", "per_address")
                .description(refusals).register(registry);
        FunctionCounter.builder("herald.http.refusals", guard.evicted(), LongAdder::sum).tag("reason", "evicted_idle")
                .description(refusals).register(registry);
    }

    /** Counts what one store maintenance pass did. */
    public void maintained(Maintenance m) {
        expired.add(m.expired());
        capDropped.add(m.dropped());
        purged.add(m.purged());
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
