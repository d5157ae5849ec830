package dev.herald.server.admin;

import dev.herald.core.notify.NotifyMetrics;
import dev.herald.core.notify.SendResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The notification channels' meters, tagged by {@code channel}: {@code herald_notify_sent_total},
 * {@code herald_notify_failed_total{outcome}}, {@code herald_notify_retried_total}, {@code herald_notify_dead_total},
 * {@code herald_notify_circuit_opened_total}, {@code herald_notify_postponed_total},
 * {@code herald_notify_cancelled_total} (at firing time), {@code herald_notify_fallbacks_cancelled_by_ack_total} and the {@code herald_notify_latency_seconds} histogram of successful
 * attempts. Meters are created on first use and cached (the registry lookup is not free on every event).
 */
public final class NotifyMeters implements NotifyMetrics {
    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> latency = new ConcurrentHashMap<>();

    private final Counter ackCancels;

    public NotifyMeters(MeterRegistry registry) {
        this.registry = registry;
        this.ackCancels = Counter.builder("herald.notify.fallbacks.cancelled.by.ack")
                .description("Waiting fallbacks cancelled as soon as the user's ack arrived").register(registry);
    }

    private void count(String name, String help, String channel, String... extraTags) {
        String key = name + '|' + channel + '|' + String.join("|", extraTags);
        counters.computeIfAbsent(key, k -> Counter.builder(name).description(help).tag("channel", channel)
                .tags(extraTags).register(registry)).increment();
    }

    @Override
    public void sent(String channel, long latencyNanos) {
        count("herald.notify.sent", "Deliveries their endpoint accepted", channel);
        latency.computeIfAbsent(channel, c -> Timer.builder("herald.notify.latency")
                .description("Duration of successful delivery attempts").tag("channel", c)
                .publishPercentileHistogram().register(registry)).record(latencyNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void failed(String channel, SendResult.Outcome outcome) {
        count("herald.notify.failed", "Failed delivery attempts, by outcome (retry, permanent, gone)", channel,
                "outcome", outcome.name().toLowerCase(Locale.ROOT));
    }

    @Override
    public void retried(String channel) {
        count("herald.notify.retried", "Failed deliveries scheduled for another attempt", channel);
    }

    @Override
    public void dead(String channel) {
        count("herald.notify.dead", "Deliveries that became dead letters", channel);
    }

    @Override
    public void circuitOpened(String channel) {
        count("herald.notify.circuit.opened", "Times an endpoint's circuit breaker opened", channel);
    }

    @Override
    public void postponed(String channel) {
        count("herald.notify.postponed", "Deliveries postponed without an attempt because their endpoint's circuit was open", channel);
    }

    @Override
    public void cancelled(String channel) {
        count("herald.notify.cancelled", "Fallbacks not sent because the user acked the in-app message", channel);
    }

    @Override
    public void fallbacksCancelled(int count) {
        ackCancels.increment(count);
    }
}
