package dev.herald.core.notify;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link NotifyDispatcher} treats one channel. Each channel has its own, and its own in-flight budget,
 * so a slow or failing channel never delays another channel: a hanging e-mail relay holds at most
 * {@code maxInFlight} e-mail deliveries, each for at most {@code attemptTimeout}, while webhooks go on.
 *
 * @param retry          backoff, attempts and deadline
 * @param maxInFlight    deliveries of this channel sent at the same time, at most ({@code >= 1})
 * @param attemptTimeout how long one attempt may take before it counts as a {@code RETRY} ("timed out")
 * @param circuit        when an endpoint's circuit opens
 */
public record ChannelPolicy(RetryPolicy retry, int maxInFlight, Duration attemptTimeout, CircuitPolicy circuit) {
    /** 32 at a time: enough to keep a healthy endpoint busy, few enough not to flood a struggling one. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 32;
    /** 15 s: generous for a webhook or an SMTP exchange; a slower endpoint is treated as failing. */
    public static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofSeconds(15);

    public static final ChannelPolicy DEFAULT = new ChannelPolicy(RetryPolicy.DEFAULT, DEFAULT_MAX_IN_FLIGHT,
            DEFAULT_ATTEMPT_TIMEOUT, CircuitPolicy.DEFAULT);

    public ChannelPolicy {
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(attemptTimeout, "attemptTimeout");
        Objects.requireNonNull(circuit, "circuit");
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be >= 1, was " + maxInFlight);
        }
        if (attemptTimeout.isNegative() || attemptTimeout.isZero()) {
            throw new IllegalArgumentException("attemptTimeout must be positive, was " + attemptTimeout);
        }
    }

    /** With the default circuit breaker settings. */
    public ChannelPolicy(RetryPolicy retry, int maxInFlight, Duration attemptTimeout) {
        this(retry, maxInFlight, attemptTimeout, CircuitPolicy.DEFAULT);
    }
}
