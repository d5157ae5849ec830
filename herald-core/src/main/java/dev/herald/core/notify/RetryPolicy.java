package dev.herald.core.notify;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * When a failed delivery is tried again: capped exponential backoff with <b>equal jitter</b>, a maximum
 * number of attempts and a deadline. Immutable; the computation is a pure function of its arguments (the
 * random source is passed in), so it is tested without a clock.
 *
 * <p>The n-th retry waits {@code b = min(maxDelay, firstDelay × multiplier^(n-1))}, then half of {@code b}
 * fixed plus a uniformly random part of the other half: between {@code b/2} and {@code b}. Equal jitter,
 * rather than "full jitter" (0 to b), because retries of many deliveries that failed together must spread
 * out (no thundering herd when an endpoint comes back) but a single delivery must never retry sooner than
 * half its backoff (full jitter can retry a struggling endpoint almost at once).
 *
 * <p>An endpoint's {@code Retry-After} raises the delay to at least what it asked for, <b>even past
 * {@code maxDelay}</b>: retrying sooner would only be refused again. The deadline is the bound: a retry that
 * would fall at or after the delivery's deadline is not scheduled, the delivery dies at once with its last
 * error (a dead letter an operator can retry), instead of waiting for an attempt that can never be made.
 *
 * @param firstDelay  the backoff before the first retry (before jitter)
 * @param maxDelay    the largest backoff (before jitter); {@code Retry-After} may exceed it
 * @param multiplier  how much the backoff grows per retry ({@code >= 1})
 * @param maxAttempts how many attempts in all, the first one included ({@code >= 1})
 * @param deadline    how long after its creation a delivery may still be attempted
 *                    (see {@link #deadlineFrom}; stored in {@link NotifyJob#deadline()})
 */
public record RetryPolicy(Duration firstDelay, Duration maxDelay, double multiplier, int maxAttempts, Duration deadline) {
    /** A second first: a brief blip (a restart, a dropped connection) is retried quickly. */
    public static final Duration DEFAULT_FIRST_DELAY = Duration.ofSeconds(1);
    /** Ten minutes: an endpoint down for an hour is still tried six times an hour, not hammered. */
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofMinutes(10);
    public static final double DEFAULT_MULTIPLIER = 2.0;
    /** Eight attempts: with the defaults the last one is about 2 minutes after the first (1+2+4+…+64 s, jittered). */
    public static final int DEFAULT_MAX_ATTEMPTS = 8;
    /** A day: a notification older than that is rarely worth sending; it becomes a dead letter to retry by hand. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofHours(24);

    public static final RetryPolicy DEFAULT = new RetryPolicy(DEFAULT_FIRST_DELAY, DEFAULT_MAX_DELAY, DEFAULT_MULTIPLIER,
            DEFAULT_MAX_ATTEMPTS, DEFAULT_DEADLINE);

    /** What {@link #nextAttemptAt} answers when no further attempt may be made. */
    public static final long NO_MORE_ATTEMPTS = -1;

    public RetryPolicy {
        Objects.requireNonNull(firstDelay, "firstDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        Objects.requireNonNull(deadline, "deadline");
        if (firstDelay.isNegative() || firstDelay.isZero()) {
            throw new IllegalArgumentException("retry firstDelay must be positive, was " + firstDelay);
        }
        if (maxDelay.compareTo(firstDelay) < 0) {
            throw new IllegalArgumentException("retry maxDelay (" + maxDelay + ") must be at least firstDelay (" + firstDelay + ")");
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("retry multiplier must be >= 1, was " + multiplier);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("retry maxAttempts must be >= 1, was " + maxAttempts);
        }
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("retry deadline must be positive, was " + deadline);
        }
    }

    /** The deadline of a delivery created at {@code createdAt} (ms since the epoch). */
    public long deadlineFrom(long createdAt) {
        return saturatedAdd(createdAt, deadline.toMillis());
    }

    /**
     * The backoff before jitter after {@code attemptsMade} attempts ({@code >= 1}), in ms:
     * {@code min(maxDelay, firstDelay × multiplier^(attemptsMade-1))}.
     */
    public long backoffMillis(int attemptsMade) {
        if (attemptsMade < 1) {
            throw new IllegalArgumentException("attemptsMade must be >= 1, was " + attemptsMade);
        }
        double grown = firstDelay.toMillis() * Math.pow(multiplier, attemptsMade - 1);
        return (long) Math.min(grown, (double) maxDelay.toMillis());
    }

    /**
     * The delay before the next attempt, in ms: the equal-jittered backoff, raised to {@code retryAfter} when
     * the endpoint asked for more.
     *
     * @param retryAfter the endpoint's {@code Retry-After}, or {@code null}
     * @param random     the jitter's source (tests pass a seeded one)
     */
    public long delayMillis(int attemptsMade, Duration retryAfter, RandomGenerator random) {
        long backoff = backoffMillis(attemptsMade);
        long half = backoff / 2;
        long jittered = backoff - half + (half == 0 ? 0 : random.nextLong(half + 1));
        if (retryAfter != null && !retryAfter.isNegative()) {
            long asked = retryAfter.compareTo(Duration.ofDays(365)) > 0 ? Duration.ofDays(365).toMillis() : retryAfter.toMillis();
            return Math.max(jittered, asked);
        }
        return jittered;
    }

    /**
     * When the next attempt is due, or {@link #NO_MORE_ATTEMPTS} when the delivery should die now: it made
     * {@code maxAttempts} attempts, or the next one would fall at or after its {@code deadline}.
     *
     * @param attemptsMade attempts made so far, the one that just failed included
     * @param now          ms since the epoch
     * @param deadline     the delivery's deadline, ms since the epoch ({@link NotifyJob#deadline()})
     */
    public long nextAttemptAt(int attemptsMade, long now, long deadline, Duration retryAfter, RandomGenerator random) {
        if (attemptsMade >= maxAttempts) {
            return NO_MORE_ATTEMPTS;
        }
        long next = saturatedAdd(now, delayMillis(attemptsMade, retryAfter, random));
        return next < deadline ? next : NO_MORE_ATTEMPTS;
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
