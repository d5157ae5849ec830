package dev.herald.core.notify;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts every {@link NotifyMetrics} call as {@code "event:channel"} (e.g. {@code "sent:webhook"}). */
final class RecordingMetrics implements NotifyMetrics {
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    int count(String event, String channel) {
        AtomicInteger n = counts.get(event + ":" + channel);
        return n == null ? 0 : n.get();
    }

    private void add(String event, String channel, int n) {
        counts.computeIfAbsent(event + ":" + channel, k -> new AtomicInteger()).addAndGet(n);
    }

    @Override
    public void sent(String channel, long latencyNanos) {
        add("sent", channel, 1);
    }

    @Override
    public void failed(String channel, SendResult.Outcome outcome) {
        add("failed-" + outcome.name().toLowerCase(java.util.Locale.ROOT), channel, 1);
    }

    @Override
    public void retried(String channel) {
        add("retried", channel, 1);
    }

    @Override
    public void dead(String channel) {
        add("dead", channel, 1);
    }

    @Override
    public void circuitOpened(String channel) {
        add("circuitOpened", channel, 1);
    }

    @Override
    public void postponed(String channel) {
        add("postponed", channel, 1);
    }

    @Override
    public void cancelled(String channel) {
        add("cancelled", channel, 1);
    }

    @Override
    public void fallbacksCancelled(int count) {
        add("fallbacksCancelled", "*", count);
    }
}
