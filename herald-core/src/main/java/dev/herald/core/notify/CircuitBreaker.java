package dev.herald.core.notify;

/**
 * One endpoint's circuit breaker: stops sending to an endpoint that keeps failing, so a dead endpoint is not
 * hammered and its deliveries do not fill the channel's in-flight budget. Thread-safe (synchronised; every
 * method is a few field updates).
 *
 * <ul>
 *   <li><b>Closed</b>: everything goes through. {@link CircuitPolicy#failureThreshold()} consecutive
 *       {@code RETRY} outcomes open it. Only {@code RETRY} counts: a {@code PERMANENT} or {@code GONE} answer
 *       is about one request or one address, and proves the endpoint is up, so it resets the count like
 *       an {@code OK}.</li>
 *   <li><b>Open</b> until {@link #reopensAt()}: nothing goes through ({@link #tryAcquire} answers
 *       {@link #DENIED}); the dispatcher postpones the delivery to that time without counting an attempt.
 *       Results of sends started before it opened are ignored.</li>
 *   <li><b>Half-open</b> once the cooldown has passed: exactly one trial goes through; the others are
 *       postponed by the first cooldown. The trial's success closes the circuit (and resets the cooldown); its
 *       failure opens it again for twice the previous cooldown, up to {@link CircuitPolicy#maxCooldown()}.
 *       A trial that never reports (it cannot happen while the dispatcher bounds every attempt, but a lost
 *       trial must not close the endpoint forever) is replaced after {@code maxCooldown}.</li>
 * </ul>
 */
public final class CircuitBreaker {
    /** What {@link #tryAcquire} answers when the delivery must wait: see {@link #reopensAt()}. */
    public static final Permit DENIED = new Permit(false, false);
    private static final Permit PASS = new Permit(true, false);
    private static final Permit TRIAL = new Permit(true, true);

    /** Whether a delivery may be sent now, and whether it is the half-open trial (its result decides). */
    public record Permit(boolean allowed, boolean trial) { }

    public enum State { CLOSED, OPEN, HALF_OPEN }

    private final CircuitPolicy policy;
    private State state = State.CLOSED;
    private int consecutiveFailures;
    private long cooldownMillis;
    private long reopensAt;
    private long trialStartedAt;
    private long lastUsedAt;

    public CircuitBreaker(CircuitPolicy policy) {
        this.policy = policy;
        this.cooldownMillis = policy.firstCooldown().toMillis();
    }

    /** Asks to send at {@code now} (ms since the epoch). */
    public synchronized Permit tryAcquire(long now) {
        lastUsedAt = now;
        switch (state) {
            case CLOSED -> {
                return PASS;
            }
            case OPEN -> {
                if (now < reopensAt) {
                    return DENIED;
                }
                state = State.HALF_OPEN;
                trialStartedAt = now;
                return TRIAL;
            }
            default -> {
                if (now - trialStartedAt >= policy.maxCooldown().toMillis()) {
                    trialStartedAt = now;
                    return TRIAL;
                }
                reopensAt = now + policy.firstCooldown().toMillis();
                return DENIED;
            }
        }
    }

    /**
     * Reports how a permitted send went. Returns {@code true} when this report opened the circuit (for the
     * {@code circuitOpened} metric).
     *
     * @param failed whether the outcome was {@code RETRY} (a timeout and a notifier error included)
     */
    public synchronized boolean record(Permit permit, boolean failed, long now) {
        lastUsedAt = now;
        if (permit.trial()) {
            if (state != State.HALF_OPEN) {
                return false;
            }
            if (failed) {
                cooldownMillis = Math.min(cooldownMillis * 2, policy.maxCooldown().toMillis());
                open(now);
                return true;
            }
            state = State.CLOSED;
            consecutiveFailures = 0;
            cooldownMillis = policy.firstCooldown().toMillis();
            return false;
        }
        if (state != State.CLOSED) {
            return false;
        }
        if (!failed) {
            consecutiveFailures = 0;
            return false;
        }
        if (++consecutiveFailures >= policy.failureThreshold()) {
            open(now);
            return true;
        }
        return false;
    }

    private void open(long now) {
        state = State.OPEN;
        reopensAt = now + cooldownMillis;
    }

    public synchronized State state() {
        return state;
    }

    /** When a denied delivery may be tried again, ms since the epoch (meaningful after a {@link #DENIED}). */
    public synchronized long reopensAt() {
        return reopensAt;
    }

    public synchronized int consecutiveFailures() {
        return consecutiveFailures;
    }

    /** Whether it carries nothing a fresh breaker would not: closed, and unused since {@code idleSince}. */
    synchronized boolean idle(long idleSince) {
        return state == State.CLOSED && (consecutiveFailures == 0 || lastUsedAt < idleSince);
    }
}
