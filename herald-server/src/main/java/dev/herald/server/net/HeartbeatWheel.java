package dev.herald.server.net;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Spreads the heartbeat over its interval: every connection is visited once per {@code ws.heartbeat}, but
 * each tick visits only one slice of them. Visiting every connection in one timer task pinged all of
 * them at once: with 10,000 connections that burst of pings (each its own flush) and the 10,000 pongs
 * that answer it held the event loop for about half a second every interval, which every message
 * published meanwhile waited for. Spread over {@value #TICK_MILLIS} ms ticks, a tick costs a few
 * hundred microseconds.
 *
 * <p>Connections are assigned a slice round robin as they open, so the slices stay even; a slice is a
 * concurrent set, so opening and closing (on any event loop) never waits for a tick. Together the slices hold every
 * connection added and not removed, so an endpoint needs no second registry of its open connections
 * ({@link #forEach}, {@link #size}): one map entry per connection fewer.
 */
public final class HeartbeatWheel<T> {
    /** Target time between two ticks; the interval is cut into this many slices (at least 1, at most 1,000). */
    static final long TICK_MILLIS = 100;
    private static final int MAX_SLICES = 1_000;

    private final List<Set<T>> slices;
    private final long tickMillis;
    private int nextSlot;
    private int nextTick;

    public HeartbeatWheel(Duration interval) {
        int count = (int) Math.max(1, Math.min(MAX_SLICES, interval.toMillis() / TICK_MILLIS));
        this.tickMillis = Math.max(1, interval.toMillis() / count);
        this.slices = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            slices.add(ConcurrentHashMap.newKeySet());
        }
    }

    /** How often {@link #tick} must run for every connection to be visited once per interval. */
    public long tickMillis() {
        return tickMillis;
    }

    int sliceCount() {
        return slices.size();
    }

    /** Adds a connection to the next slice (round robin); returns that slice, which {@link #remove} needs. */
    public synchronized int add(T connection) {
        int slot = nextSlot;
        nextSlot = (slot + 1) % slices.size();
        slices.get(slot).add(connection);
        return slot;
    }

    public void remove(T connection, int slot) {
        slices.get(slot).remove(connection);
    }

    /** Visits every connection in the wheel, slice by slice (weakly consistent, like a concurrent set's iteration). Any thread. */
    public void forEach(Consumer<T> visit) {
        for (Set<T> slice : slices) {
            slice.forEach(visit);
        }
    }

    /** How many connections the wheel holds. Any thread. */
    public int size() {
        int n = 0;
        for (Set<T> slice : slices) {
            n += slice.size();
        }
        return n;
    }

    /** Visits the connections of the next slice. Runs on the timer's thread, one tick at a time. */
    public void tick(Consumer<T> visit) {
        Set<T> slice = slices.get(nextTick);
        nextTick = (nextTick + 1) % slices.size();
        slice.forEach(visit);
    }
}
