package dev.herald.core.notify;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The circuit breakers of one channel's endpoints, keyed by {@link Notifier#endpointKey}. Memory is bounded:
 * when it holds more than {@code maxBreakers}, {@link #evictIdle} drops closed breakers with no failures
 * (identical to a fresh one, so nothing is lost) and closed ones unused for {@code idleMillis}. Open and
 * half-open breakers are kept: they are what protects a down endpoint. Thread-safe.
 */
final class CircuitBreakers {
    /** Breakers kept before idle ones are evicted: one per endpoint, a few hundred bytes each. */
    static final int DEFAULT_MAX_BREAKERS = 10_000;

    private final CircuitPolicy policy;
    private final int maxBreakers;
    private final long idleMillis;
    private final ConcurrentMap<String, CircuitBreaker> byEndpoint = new ConcurrentHashMap<>();

    CircuitBreakers(CircuitPolicy policy, int maxBreakers) {
        this.policy = policy;
        this.maxBreakers = maxBreakers;
        this.idleMillis = policy.maxCooldown().toMillis();
    }

    CircuitBreaker of(String endpointKey) {
        return byEndpoint.computeIfAbsent(endpointKey, k -> new CircuitBreaker(policy));
    }

    /** Drops idle closed breakers when there are more than the bound (called by the polling loop). */
    void evictIdle(long now) {
        if (byEndpoint.size() > maxBreakers) {
            byEndpoint.values().removeIf(b -> b.idle(now - idleMillis));
        }
    }

    int size() {
        return byEndpoint.size();
    }
}
